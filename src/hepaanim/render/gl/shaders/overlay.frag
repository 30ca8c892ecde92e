#version 330
in vec2 v_uv;
uniform sampler2D u_tex;  // premultiplied RGBA, row 0 = top
uniform float u_alpha;
uniform vec4 u_fill;      // used when u_use_tex == 0: premultiplied fill (fades)
uniform int u_use_tex;
out vec4 f_color;
void main() {
    vec4 c = u_use_tex == 1 ? texture(u_tex, v_uv) : u_fill;
    f_color = c * u_alpha;
}
