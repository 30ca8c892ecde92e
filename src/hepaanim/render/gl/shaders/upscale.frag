#version 330
// Render scale < 1: the finished (display-referred) picture, bilinearly enlarged to the
// output size.  Captions are drawn after this, at full resolution.
in vec2 v_uv;
uniform sampler2D u_tex;
out vec4 f_color;
void main() {
#ifdef TRANSPARENT
    f_color = texture(u_tex, v_uv);         // alpha carried (editors' transparent versions)
#else
    f_color = vec4(texture(u_tex, v_uv).rgb, 1.0);
#endif
}
