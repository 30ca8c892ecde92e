#version 330
// Glowing particles (cytokines, paracrine factors): camera-facing sprites at least a few
// pixels wide with a soft falloff, added to the light in the frame.  Sub-pixel motion
// stays smooth (no popping squares) and no depth is written.
in vec2 in_corner;
in vec3 i_pos;
in vec3 i_scale;
in vec4 i_color;

uniform mat4 u_model;
uniform mat4 u_view;
uniform mat4 u_proj;
uniform float u_model_scale;
uniform float u_pixel;           // world size of one pixel at unit distance
uniform float u_emissive;

out vec2 v_uv;
flat out vec4 v_color;
flat out float v_core;           // the body's radius as a fraction of the sprite

vec3 srgb_to_linear(vec3 c) {
    return mix(c / 12.92, pow((c + 0.055) / 1.055, vec3(2.4)), step(0.04045, c));
}

void main() {
    vec3 c = (u_view * u_model * vec4(i_pos, 1.0)).xyz;
    float R = i_scale.x * u_model_scale;
    float d = max(-c.z, 1e-3);
    float size = max(R * 2.6, 2.2 * u_pixel * d);          // glow reaches past the body
    vec3 p = c + vec3(in_corner * size, 0.0);
    v_uv = in_corner;
    v_core = R / size;
    // energy conserving: a sprite enlarged to its minimum size dims accordingly
    float spread = min(1.0, (R * 2.6) / size);
    v_color = vec4(srgb_to_linear(i_color.rgb) * max(u_emissive, 0.5) * (0.35 + 0.65 * spread),
                   i_color.a);
    gl_Position = u_proj * vec4(p, 1.0);
}
