#version 330
// Lit per vertex: for large, smooth, translucent surfaces (vessel walls, body silhouette)
// that cover much of the frame, and for dense meshes whose triangles are a few pixels on
// screen.  On llvmpipe the cost of a frame is mostly per fragment (and a tiny triangle
// still shades a whole 4x4 block); moving the light rig here makes such a layer nearly as
// cheap as a flat fill.  ONE_SIDED (back faces culled): only the outside is lit.
in vec3 in_pos;
in vec3 in_normal;
in float in_param;
in vec3 i_pos;
in vec4 i_quat;
in vec3 i_scale;
in vec4 i_color;

uniform mat4 u_model;
uniform mat4 u_view;
uniform mat4 u_proj;
uniform mat3 u_normal_view;

out vec4 v_front;        // linear colour + alpha, lit as seen from outside
#ifndef ONE_SIDED
out vec4 v_back;         // the same surface lit from inside (back faces)
#endif
out float v_param;

#include "common.glsl"

vec4 lit(vec3 N, vec3 V, vec3 base, float a) {
    float fresnel;
    vec3 c = shade(base, N, V, fresnel);
#ifdef ALPHA_FRESNEL
    a = mix(a, min(1.0, a * 3.0), fresnel);
#endif
    return vec4(c, a);
}

void main() {
    vec3 local = i_pos + quat_rotate(i_quat, in_pos * i_scale);
    vec4 view = u_view * u_model * vec4(local, 1.0);
    vec3 N = normalize(u_normal_view * quat_rotate(i_quat, in_normal / i_scale));
    vec3 V = normalize(-view.xyz);
    vec3 base = srgb_to_linear(i_color.rgb);
    float a = u_color.a * i_color.a;
    v_front = lit(N, V, base, a);
    v_front.rgb = fog(v_front.rgb, -view.z);
#ifndef ONE_SIDED
    v_back = lit(-N, V, base, a);
    v_back.rgb = fog(v_back.rgb, -view.z);
#endif
    v_param = in_param;
    gl_Position = u_proj * view;
}
