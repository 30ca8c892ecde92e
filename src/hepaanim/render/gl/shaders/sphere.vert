#version 330
// Ray-cast sphere impostors (uniform scale): cheaper than the ellipsoid path, with no
// per-instance matrix to pass along.  Used for particles and round cells.
in vec3 i_pos;
in vec4 i_quat;
in vec3 i_scale;
in vec4 i_color;

uniform mat4 u_model;
uniform mat4 u_view;
uniform mat4 u_proj;
uniform float u_model_scale;

flat out vec4 v_sphere;          // view-space centre, radius
flat out vec4 v_color;

#include "common.glsl"
#include "sprite_vert.glsl"

void main() {
    vec3 c = (u_view * u_model * vec4(i_pos, 1.0)).xyz;
    float R = i_scale.x * u_model_scale;
    v_sphere = vec4(c, R);
    v_color = vec4(srgb_to_linear(i_color.rgb), i_color.a);
    sprite(c, R);
}
