#version 330
in vec2 v_uv;
flat in vec4 v_color;
flat in float v_core;
out vec4 f_color;

#include "common.glsl"

void main() {
    float r2 = dot(v_uv, v_uv);
    if (r2 > 1.0) discard;
    float core = 1.0 - smoothstep(v_core * 0.6, v_core * 1.1 + 0.05, sqrt(r2));
    float halo = exp(-r2 * 5.0) * 0.45;
    float a = (core + halo) * u_color.a * v_color.a;
    // additive light (blend ONE, ONE): no coverage, so the backdrop still shows beneath
    f_color = vec4(fog(v_color.rgb * a, 0.0), 0.0);
}
