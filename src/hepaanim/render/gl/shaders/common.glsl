// Shared by every lit program: quaternion helpers, the light rig, the tone curve.
vec3 quat_rotate(vec4 q, vec3 v) {
    return v + 2.0 * cross(q.xyz, cross(q.xyz, v) + q.w * v);
}

uniform vec3 u_light_dir[3];     // view space, toward the light
uniform vec3 u_light_col[3];     // colour * intensity
uniform vec3 u_ambient;

// Material
uniform vec4 u_color;            // linear rgb, opacity
uniform vec3 u_base;             // = u_color.rgb (named for the plain-mesh path)
uniform float u_emissive;
uniform float u_roughness;
uniform float u_rim;
uniform vec3 u_rim_color;        // linear
uniform float u_wrap;

uniform mat3 u_view_to_world;    // for surface detail that stays on the object

// Membrane ruffles: a few sines of the world-space normal tilt it, so a cell's surface
// catches light unevenly (cheap on llvmpipe: no noise textures, no fetches).
vec3 ruffle(vec3 N, float amount, float seed) {
#ifndef RUFFLE
    return N;
#endif
    vec3 w = u_view_to_world * N * 9.0 + seed;
    vec3 t = vec3(sin(w.y + 1.7 * sin(w.z)), sin(w.z + 1.3 * sin(w.x)), sin(w.x + 1.9 * sin(w.y)));
    return normalize(N + amount * (transpose(u_view_to_world) * t));
}

vec3 srgb_to_linear(vec3 c) {
    return mix(c / 12.92, pow((c + 0.055) / 1.055, vec3(2.4)), step(0.04045, c));
}

// Soft wrap diffuse + Blinn-Phong specular + Fresnel rim, in view space (V toward eye).
vec3 shade(vec3 base, vec3 N, vec3 V, out float fresnel) {
    float f1 = 1.0 - clamp(dot(N, V), 0.0, 1.0);
    fresnel = f1 * f1 * f1;
    // Soft wrap diffuse from key, fill and rim, written out (no loop: cheaper on llvmpipe).
    float w = u_wrap, iw = 1.0 / (1.0 + u_wrap);
    vec3 d = vec3(dot(N, u_light_dir[0]), dot(N, u_light_dir[1]), dot(N, u_light_dir[2]));
    d = max((d + w) * iw, 0.0);
    vec3 light = u_ambient * (0.75 + 0.25 * N.y)
               + d.x * u_light_col[0] + d.y * u_light_col[1] + d.z * u_light_col[2];
    // Specular from the key light only; Schlick's rational stand-in for pow(x, n).
    vec3 H = normalize(u_light_dir[0] + V);
    float nh = max(dot(N, H), 0.0);
    float n = mix(90.0, 6.0, u_roughness);
    float spec = nh / (n - n * nh + nh) * (1.0 - u_roughness) * 0.55 * step(0.0, d.x * (1.0 + w) - w);
    return base * (light + u_emissive) + spec * u_light_col[0] + u_rim_color * (u_rim * fresnel);
}

#ifdef DISPLAY_REFERRED
// The fast path: fragments leave already tone-mapped (an 8-bit target, blending in
// display space), because on llvmpipe a float target costs ~30-45 % more per frame.
uniform float u_exposure;
uniform vec3 u_balance;
vec3 to_display(vec3 c) {
    c *= u_exposure * u_balance;
    c = clamp((c * (2.51 * c + 0.03)) / (c * (2.43 * c + 0.59) + 0.14), 0.0, 1.0);
    vec3 s = sqrt(c);
    return clamp(s * (1.2069157 + s * (-0.35201256 + s * 0.14692511)), 0.0, 1.0);
}
#else
vec3 to_display(vec3 c) { return c; }   // HDR path: the display pass tone-maps
#endif

// Exponential depth fog toward the background (microscopic shots read as deep tissue).
uniform float u_fog;              // density per scene unit; 0 = off
uniform vec3 u_fog_color;         // linear
vec3 fog(vec3 c, float depth) {
#ifdef FOG
    return to_display(mix(u_fog_color, c, exp(-u_fog * max(depth, 0.0))));
#else
    return to_display(c);
#endif
}
