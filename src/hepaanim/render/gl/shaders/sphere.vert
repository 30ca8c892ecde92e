#version 330
// Ray-cast sphere impostors (uniform scale): cheaper than the ellipsoid path, with no
// per-instance matrix to pass along.  Used for particles and round cells.
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
flat out vec4 v_sphere;          // view-space centre, radius
flat out vec4 v_color;

#include "common.glsl"

void main() {
    vec3 c = (u_view * u_model * vec4(i_pos, 1.0)).xyz;
    float R = i_scale.x * u_model_scale;
    float d = length(c);
    vec3 fwd = c / max(d, 1e-6);
    vec3 right = normalize(cross(fwd, vec3(1e-4, 1.0, 0.0)));
    vec3 up = cross(right, fwd);
    float dq = max(d - R, 1e-3);
    vec3 p = fwd * dq + (right * in_corner.x + up * in_corner.y)
             * (dq * R / sqrt(max(d * d - R * R, 1e-6))) * 1.02;
    if (d <= R * 1.001) p = c + (right * in_corner.x + up * in_corner.y) * R * 50.0;
    v_view_pos = p;
    v_sphere = vec4(c, R);
    v_color = vec4(srgb_to_linear(i_color.rgb), i_color.a);
    gl_Position = u_proj * vec4(p, 1.0);
}
