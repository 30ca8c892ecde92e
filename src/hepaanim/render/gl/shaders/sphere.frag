#version 330
flat in vec4 v_sphere;
flat in vec4 v_color;

uniform mat4 u_proj;
uniform float u_nucleus;
uniform float u_ruffle;

out vec4 f_color;

#include "common.glsl"
#include "sprite_frag.glsl"

void main() {
    vec3 dir = view_ray();
    vec3 c = v_sphere.xyz;
    float R = v_sphere.w;
    float b = dot(dir, c);
    // The ray's closest approach to the centre, measured directly: b*b - dot(c, c) would
    // subtract two large numbers for a small, distant sphere and lose its radius to
    // float rounding (edge pixels that flicker from frame to frame).
    vec3 perp = c - b * dir;
    float disc = R * R - dot(perp, perp);
    if (disc < 0.0) discard;
    float s = b - sqrt(disc);
    if (s < 0.0) discard;
    vec3 hit = dir * s;
    vec3 N = ruffle((hit - c) / R, u_ruffle, dot(c, vec3(0.013, 0.017, 0.011)));
    vec3 base = v_color.rgb;
#ifdef NUCLEUS
    {
        float core = 1.0 - smoothstep(0.25, 0.55, sqrt(max(dot(c, c) - b * b, 0.0)) / R);
        base *= 1.0 - u_nucleus * core;
    }
#endif
    float fresnel;
    vec3 col = shade(base, N, -dir, fresnel);
#ifndef FLAT_DEPTH
    // Window depth of the hit: u_proj is a perspective projection, so only its z row
    // matters (clip.z = P22 z + P32, clip.w = -z): two terms, not a 4x4 product.
    gl_FragDepth = 0.5 - 0.5 * (u_proj[2][2] + u_proj[3][2] / hit.z);
#endif
    f_color = vec4(fog(col, -hit.z), u_color.a * v_color.a);
}
