#version 330
// The backdrop: a vertical gradient between two linear colours (linearised on the CPU:
// three pow() per pixel of the whole frame would cost more than the gradient itself).
in vec2 v_uv;
uniform vec3 u_top;       // linear
uniform vec3 u_bottom;
out vec4 f_color;
void main() {
    f_color = vec4(mix(u_bottom, u_top, smoothstep(0.0, 1.0, v_uv.y)), 1.0);
}
