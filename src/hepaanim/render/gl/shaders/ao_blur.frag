#version 330
// Depth-aware blur of the quarter-size occlusion (one direction per pass): taps across a
// depth step do not count, so a near object's occlusion does not bleed onto the far one.
uniform sampler2D u_tex;         // r = visibility, g = view depth (nearest texels)
uniform vec2 u_step;             // (1, 0) or (0, 1)
out vec4 f_color;
void main() {
    ivec2 p = ivec2(gl_FragCoord.xy);
    ivec2 hi = textureSize(u_tex, 0) - 1;
    vec2 c = texelFetch(u_tex, p, 0).rg;
    float sum = c.r, wsum = 1.0;
    for (int i = -3; i <= 3; ++i) {
        if (i == 0) continue;
        vec2 s = texelFetch(u_tex, clamp(p + ivec2(u_step * float(i)), ivec2(0), hi), 0).rg;
        float w = exp(-float(i * i) / 8.0) * step(abs(s.g - c.g), 0.05 * c.g);
        sum += s.r * w;
        wsum += w;
    }
    f_color = vec4(sum / wsum, c.g, 0.0, 1.0);
}
