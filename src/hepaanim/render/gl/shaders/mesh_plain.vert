#version 330
// A single (non-instanced) mesh: the cheapest vertex stage, since on llvmpipe the cost of
// a dense organ mesh is per vertex and per varying.  Colour comes from the material.
in vec3 in_pos;
in vec3 in_normal;
in float in_param;

uniform mat4 u_model;
uniform mat4 u_view;
uniform mat4 u_proj;
uniform mat3 u_normal_view;

out vec3 v_view_pos;
out vec3 v_normal;
out float v_param;

void main() {
    vec4 view = u_view * u_model * vec4(in_pos, 1.0);
    v_view_pos = view.xyz;
    v_normal = u_normal_view * in_normal;
    v_param = in_param;
    gl_Position = u_proj * view;
}
