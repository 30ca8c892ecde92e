#version 330
// Ray-cast ellipsoid impostors: a footprint per instance covering the ellipsoid's
// bounding sphere in perspective (sprite_vert.glsl); the fragment shader finds the surface.
in vec3 i_pos;
in vec4 i_quat;
in vec3 i_scale;
in vec4 i_color;

uniform mat4 u_model;
uniform mat4 u_view;
uniform mat4 u_proj;
uniform float u_model_scale;

flat out vec3 v_center;
flat out mat3 v_to_unit;         // view space -> unit sphere space
flat out vec4 v_color;

#include "common.glsl"
#include "sprite_vert.glsl"

void main() {
    mat4 vm = u_view * u_model;
    vec3 c = (vm * vec4(i_pos, 1.0)).xyz;
    vec3 s = i_scale * u_model_scale;
    float R = max(s.x, max(s.y, s.z));
    sprite(c, R);
    v_center = c;
    // Columns of the view-space rotation: view*model rotation applied to instance axes.
    mat3 rv = mat3(vm) / u_model_scale;
    mat3 rot = mat3(rv * quat_rotate(i_quat, vec3(1, 0, 0)),
                    rv * quat_rotate(i_quat, vec3(0, 1, 0)),
                    rv * quat_rotate(i_quat, vec3(0, 0, 1)));
    v_to_unit = mat3(1.0 / s.x, 0, 0, 0, 1.0 / s.y, 0, 0, 0, 1.0 / s.z) * transpose(rot);
    v_color = vec4(srgb_to_linear(i_color.rgb), i_color.a);
}
