#version 330
in vec4 v_front;
in vec4 v_back;
in float v_param;
uniform float u_reveal;
out vec4 f_color;
void main() {
#ifdef REVEAL
    if (v_param > u_reveal) discard;     // a discard anywhere costs early depth
#endif
    f_color = gl_FrontFacing ? v_front : v_back;
}
