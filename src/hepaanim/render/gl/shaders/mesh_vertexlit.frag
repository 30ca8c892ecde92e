#version 330
in vec4 v_front;
#ifndef ONE_SIDED
in vec4 v_back;
#endif
in float v_param;
uniform float u_reveal;
out vec4 f_color;
void main() {
#ifdef REVEAL
    if (v_param > u_reveal) discard;     // a discard anywhere costs early depth
#endif
#ifdef ONE_SIDED
    f_color = v_front;
#else
    f_color = gl_FrontFacing ? v_front : v_back;
#endif
}
