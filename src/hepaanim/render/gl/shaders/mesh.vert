#version 330
// Lit triangle meshes, drawn instanced: a plain mesh is one instance at the origin.
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
uniform mat3 u_normal_view;      // inverse-transpose of view*model (3x3)

out vec3 v_view_pos;
out vec3 v_normal;
out vec4 v_color;
out float v_param;

#include "common.glsl"

void main() {
    vec3 local = i_pos + quat_rotate(i_quat, in_pos * i_scale);
    vec4 view = u_view * u_model * vec4(local, 1.0);
    v_view_pos = view.xyz;
    v_normal = u_normal_view * quat_rotate(i_quat, in_normal / i_scale);
    v_color = vec4(srgb_to_linear(i_color.rgb), i_color.a);
    v_param = in_param;
    gl_Position = u_proj * view;
}
