#version 330
// A textured rectangle in pixel coordinates (captions, cards, labels).
in vec2 in_corner;
uniform vec4 u_rect;      // x, y, w, h in pixels, y down from the top
uniform vec2 u_screen;
out vec2 v_uv;
void main() {
    vec2 px = u_rect.xy + in_corner * u_rect.zw;
    v_uv = vec2(in_corner.x, in_corner.y);
    gl_Position = vec4(px.x / u_screen.x * 2.0 - 1.0, 1.0 - px.y / u_screen.y * 2.0, 0.0, 1.0);
}
