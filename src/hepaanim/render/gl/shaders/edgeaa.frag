#version 330
// Cheap edge anti-aliasing for CPU rendering: three fetches instead of FXAA's nine.
// Two bilinear taps at opposite pixel corners average the 3x3 neighbourhood (weighted
// like a tent filter); where the centre differs strongly from that average (an edge), the
// pixel is blended toward it.  Flat regions keep their exact value.
in vec2 v_uv;
uniform sampler2D u_tex;
uniform vec2 u_inv;
out vec4 f_color;

const vec3 LUMA = vec3(0.299, 0.587, 0.114);

void main() {
    vec3 m = texelFetch(u_tex, ivec2(gl_FragCoord.xy), 0).rgb;
    vec3 a = texture(u_tex, v_uv + u_inv * vec2(0.5, 0.5)).rgb;
    vec3 b = texture(u_tex, v_uv - u_inv * vec2(0.5, 0.5)).rgb;
    vec3 n = (a + b) * 0.5;                   // tent-weighted 3x3 average (includes m)
    float contrast = abs(dot(m - n, LUMA));
    float k = smoothstep(0.03, 0.12, contrast) * 0.75;
    f_color = vec4(mix(m, n, k), 1.0);
}
