#version 330
// Separable Gaussian (9 taps folded into 5 bilinear fetches), horizontal or vertical.
in vec2 v_uv;
uniform sampler2D u_tex;
uniform vec2 u_step;             // one texel along the blur direction
out vec4 f_color;
void main() {
    vec4 c = texture(u_tex, v_uv) * 0.2270270270;      // rgba: defocus carries coverage
    c += texture(u_tex, v_uv + u_step * 1.3846153846) * 0.3162162162;
    c += texture(u_tex, v_uv - u_step * 1.3846153846) * 0.3162162162;
    c += texture(u_tex, v_uv + u_step * 3.2307692308) * 0.0702702703;
    c += texture(u_tex, v_uv - u_step * 3.2307692308) * 0.0702702703;
    f_color = c;
}
