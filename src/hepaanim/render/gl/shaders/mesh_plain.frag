#version 330
in vec3 v_view_pos;
in vec3 v_normal;
in float v_param;

uniform float u_reveal;

out vec4 f_color;

#include "common.glsl"

void main() {
#ifdef REVEAL
    if (v_param > u_reveal) discard;     // a discard anywhere costs early depth
#endif
    vec3 N = normalize(v_normal);
    vec3 V = normalize(-v_view_pos);
    if (!gl_FrontFacing) N = -N;
    float fresnel;
    vec3 c = shade(u_base, N, V, fresnel);
    float a = u_color.a;
#ifdef ALPHA_FRESNEL
    a = mix(a, min(1.0, a * 3.0), fresnel);
#endif
    f_color = vec4(fog(c, -v_view_pos.z), a);
}
