#version 330
in vec4 v_front;
in vec4 v_back;
in float v_param;
uniform float u_reveal;
out vec4 f_color;
void main() {
    if (v_param > u_reveal) discard;
    f_color = gl_FrontFacing ? v_front : v_back;
}
