#version 330
// Half-resolution box filter (four bilinear taps): the next bloom level, the DOF source.
in vec2 v_uv;
uniform sampler2D u_tex;
uniform vec2 u_src_inv;
out vec4 f_color;
#ifdef KARIS
// Luma-weighted average (Karis 2014): one bright sub-pixel particle cannot dominate a
// low-resolution texel, so defocus does not pulse as particles cross texel borders.
vec4 tap(vec2 uv, inout float wsum) {
    vec4 c = texture(u_tex, uv);
    float w = 1.0 / (1.0 + dot(c.rgb, vec3(0.299, 0.587, 0.114)));
    wsum += w;
    return c * w;
}
void main() {
    vec2 o = u_src_inv * 0.5;
    float ws = 0.0;
    vec4 c = tap(v_uv + vec2(-o.x, -o.y), ws) + tap(v_uv + vec2(o.x, -o.y), ws)
           + tap(v_uv + vec2(-o.x, o.y), ws) + tap(v_uv + vec2(o.x, o.y), ws);
    f_color = c / ws;
}
#else
void main() {
    vec2 o = u_src_inv * 0.5;
    f_color = 0.25 * (texture(u_tex, v_uv + vec2(-o.x, -o.y)) + texture(u_tex, v_uv + vec2(o.x, -o.y))
                    + texture(u_tex, v_uv + vec2(-o.x, o.y)) + texture(u_tex, v_uv + vec2(o.x, o.y)));
}
#endif
