#version 330
flat in vec3 v_center;
flat in mat3 v_to_unit;
flat in vec4 v_color;

uniform mat4 u_proj;
uniform float u_nucleus;
uniform float u_ruffle;
// Variants (#define): BICONCAVE red-cell disc instead of an ellipsoid, NUCLEUS a darker
// core seen through the membrane, RUFFLE membrane ruffles, FOG depth fog.

out vec4 f_color;

#include "common.glsl"
#include "sprite_frag.glsl"

// Evans & Fung (1972) red-cell profile, half-thickness over rho = r / R, in units of the
// maximum half-thickness (1.25 um for R = 3.91 um).  Shading uses the gradient of
// |z| - F(rho), so the central dimple catches light as a real biconcave disc does.
vec3 biconcave_normal(vec3 u) {
    float rho = clamp(length(u.xy), 1e-4, 0.999);
    float r2 = rho * rho;
    float q = sqrt(1.0 - r2);
    float P = 0.81 + 7.83 * r2 - 4.39 * r2 * r2;
    float dP = 15.66 * rho - 17.56 * r2 * rho;
    float dF = 0.5 * (-rho / q * P + q * dP) / 1.25;
    vec3 n = vec3(-dF * u.xy / rho, sign(u.z));
    return normalize(mix(normalize(n), u, smoothstep(0.88, 0.99, rho)));
}

void main() {
    vec3 dir = view_ray();
    vec3 o = v_to_unit * (-v_center);
    vec3 d = v_to_unit * dir;
    float a = dot(d, d);
    float b = dot(o, d);
    // disc = b*b - a*(dot(o, o) - 1), from the ray's closest approach to the centre: the
    // textbook form subtracts two large numbers for a flat, distant body (a fenestra is
    // 0.008 thick: |o| ~ 1e3) and loses it to float rounding.
    vec3 perp = o - (b / a) * d;
    float disc = a * (1.0 - dot(perp, perp));
    if (disc < 0.0) discard;
    float s = (-b - sqrt(disc)) / a;
    if (s < 0.0) discard;
    vec3 hit = dir * s;
    vec3 n_unit = o + d * s;
#ifdef BICONCAVE
    n_unit = biconcave_normal(n_unit);
#endif
    vec3 N = ruffle(normalize(transpose(v_to_unit) * n_unit), u_ruffle, dot(v_center, vec3(0.013, 0.017, 0.011)));
    vec3 V = -dir;
    float fresnel;
    vec3 base = v_color.rgb;
#ifdef NUCLEUS
    {
        // Closest approach of the ray to the centre, in unit space: a soft inner core.
        float core = 1.0 - smoothstep(0.25, 0.55, length(o + d * (-b / a)));
        base *= 1.0 - u_nucleus * core;
    }
#endif
    vec3 c = shade(base, N, V, fresnel);
    // Window depth of the hit: u_proj is a perspective projection, so only its z row
    // matters (clip.z = P22 z + P32, clip.w = -z): two terms, not a 4x4 product.
    gl_FragDepth = 0.5 - 0.5 * (u_proj[2][2] + u_proj[3][2] / hit.z);
    f_color = vec4(fog(c, -hit.z), u_color.a * v_color.a);
}
