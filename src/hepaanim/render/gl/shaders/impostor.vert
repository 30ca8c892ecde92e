#version 330
// Ray-cast ellipsoid impostors: one camera-facing quad per instance, big enough to cover
// the ellipsoid's bounding sphere in perspective; the fragment shader finds the surface.
in vec2 in_corner;
in vec3 i_pos;
in vec4 i_quat;
in vec3 i_scale;
in vec4 i_color;

uniform mat4 u_model;
uniform mat4 u_view;
uniform mat4 u_proj;
uniform float u_model_scale;

out vec3 v_view_pos;
flat out vec3 v_center;
flat out mat3 v_to_unit;         // view space -> unit sphere space
flat out vec4 v_color;

#include "common.glsl"

void main() {
    mat4 vm = u_view * u_model;
    vec3 c = (vm * vec4(i_pos, 1.0)).xyz;
    vec3 s = i_scale * u_model_scale;
    float R = max(s.x, max(s.y, s.z));
    float d = length(c);
    // Perspective cover factor for a sphere of radius R seen from distance d.
    float k = d > R * 1.001 ? d / sqrt(d * d - R * R) : 50.0;
    vec3 fwd = c / max(d, 1e-6);
    vec3 right = normalize(cross(fwd, vec3(0.0, 1.0, 0.0) + vec3(1e-4, 0.0, 0.0)));
    vec3 up = cross(right, fwd);
    // The quad sits at the sphere's front so every surface point lies behind it: with
    // depth_greater the rasteriser may reject hidden impostors before shading them.
    float dq = max(d - R, 1e-3);
    vec3 p = fwd * dq + (right * in_corner.x + up * in_corner.y) * (dq * R / sqrt(max(d * d - R * R, 1e-6))) * 1.02;
    if (d <= R * 1.001) p = c + (right * in_corner.x + up * in_corner.y) * R * 50.0;
    v_view_pos = p;
    v_center = c;
    // Columns of the view-space rotation: view*model rotation applied to instance axes.
    mat3 rv = mat3(vm) / u_model_scale;
    mat3 rot = mat3(rv * quat_rotate(i_quat, vec3(1, 0, 0)),
                    rv * quat_rotate(i_quat, vec3(0, 1, 0)),
                    rv * quat_rotate(i_quat, vec3(0, 0, 1)));
    v_to_unit = mat3(1.0 / s.x, 0, 0, 0, 1.0 / s.y, 0, 0, 0, 1.0 / s.z) * transpose(rot);
    v_color = vec4(srgb_to_linear(i_color.rgb), i_color.a);
    gl_Position = u_proj * vec4(p, 1.0);
}
