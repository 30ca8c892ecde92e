#version 330
// Bloom, step 1: a quarter-resolution copy of what is brighter than the threshold.
// Four bilinear taps average the 4x4 block each output pixel covers.
in vec2 v_uv;
uniform sampler2D u_tex;
uniform vec2 u_src_inv;          // 1 / source resolution
uniform float u_threshold;
uniform float u_exposure;
out vec4 f_color;
// Luma-weighted (Karis) average of the four taps: a single bright sub-pixel particle
// cannot dominate a quarter-resolution texel, so the glow does not pulse as it moves.
vec3 tap(vec2 uv, inout float ws) {
    vec3 c = texture(u_tex, uv).rgb;
    float w = 1.0 / (1.0 + dot(c, vec3(0.299, 0.587, 0.114)));
    ws += w;
    return c * w;
}

void main() {
    vec2 o = u_src_inv;
    float ws = 0.0;
    vec3 c = tap(v_uv + vec2(-o.x, -o.y), ws) + tap(v_uv + vec2(o.x, -o.y), ws)
           + tap(v_uv + vec2(-o.x, o.y), ws) + tap(v_uv + vec2(o.x, o.y), ws);
    c /= ws;
#ifndef DISPLAY_REFERRED
    c *= u_exposure;
#endif
    float l = max(c.r, max(c.g, c.b));
    float knee = 0.5 * u_threshold;                       // soft knee: no hard edge in the glow
    float soft = clamp(l - u_threshold + knee, 0.0, 2.0 * knee);
    soft = soft * soft / (4.0 * knee + 1e-4);
    float w = max(soft, l - u_threshold) / max(l, 1e-4);
    f_color = vec4(c * w, 1.0);
}
