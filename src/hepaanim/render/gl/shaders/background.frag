#version 330
in vec2 v_uv;
uniform vec3 u_top;       // sRGB
uniform vec3 u_bottom;
uniform float u_aspect;
out vec4 f_color;
void main() {
    vec3 c = mix(u_bottom, u_top, smoothstep(0.0, 1.0, v_uv.y));
    vec2 q = (v_uv - 0.5) * vec2(u_aspect, 1.0);
    c *= 1.0 - 0.35 * smoothstep(0.35, 1.1, length(q));   // vignette
    f_color = vec4(c, 1.0);
}
