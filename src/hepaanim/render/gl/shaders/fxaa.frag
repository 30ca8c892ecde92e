#version 330
// FXAA (after Lottes' FXAA 3.11 "console" variant): one screen pass that softens
// staircase edges along their direction.  On llvmpipe it costs a fraction of MSAA,
// which multiplies the cost of every shaded fragment.
in vec2 v_uv;
uniform sampler2D u_tex;
uniform vec2 u_inv;       // 1 / resolution
out vec4 f_color;

const vec3 LUMA = vec3(0.299, 0.587, 0.114);
const float REDUCE_MIN = 1.0 / 128.0;
const float REDUCE_MUL = 1.0 / 8.0;
const float SPAN_MAX = 8.0;

void main() {
    vec2 uv = v_uv;
    ivec2 px = ivec2(gl_FragCoord.xy);
    vec4 m = texelFetch(u_tex, px, 0);
    float lNW = dot(texelFetch(u_tex, px + ivec2(-1, -1), 0).rgb, LUMA);
    float lNE = dot(texelFetch(u_tex, px + ivec2(1, -1), 0).rgb, LUMA);
    float lSW = dot(texelFetch(u_tex, px + ivec2(-1, 1), 0).rgb, LUMA);
    float lSE = dot(texelFetch(u_tex, px + ivec2(1, 1), 0).rgb, LUMA);
    float lM = dot(m.rgb, LUMA);
    float lMin = min(lM, min(min(lNW, lNE), min(lSW, lSE)));
    float lMax = max(lM, max(max(lNW, lNE), max(lSW, lSE)));
    if (lMax - lMin < max(0.04, lMax * 0.125)) {   // flat: nothing to smooth
        f_color = vec4(m.rgb, 1.0);
        return;
    }
    vec2 dir = vec2(-((lNW + lNE) - (lSW + lSE)), (lNW + lSW) - (lNE + lSE));
    float reduce = max((lNW + lNE + lSW + lSE) * 0.25 * REDUCE_MUL, REDUCE_MIN);
    float rcp = 1.0 / (min(abs(dir.x), abs(dir.y)) + reduce);
    dir = clamp(dir * rcp, vec2(-SPAN_MAX), vec2(SPAN_MAX)) * u_inv;
    vec3 a = 0.5 * (texture(u_tex, uv + dir * (1.0 / 3.0 - 0.5)).rgb +
                    texture(u_tex, uv + dir * (2.0 / 3.0 - 0.5)).rgb);
    vec3 b = a * 0.5 + 0.25 * (texture(u_tex, uv - dir * 0.5).rgb +
                               texture(u_tex, uv + dir * 0.5).rgb);
    float lB = dot(b, LUMA);
    f_color = vec4((lB < lMin || lB > lMax) ? a : b, 1.0);
}
