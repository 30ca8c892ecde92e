#version 330
// Bloom levels merged at quarter resolution (the quarter level plus the enlarged eighth),
// so the full-resolution display pass reads one glow texture instead of two.
in vec2 v_uv;
uniform sampler2D u_q;
uniform sampler2D u_e;
out vec4 f_color;
void main() {
    f_color = vec4(0.55 * texture(u_q, v_uv).rgb + 0.45 * texture(u_e, v_uv).rgb, 1.0);
}
