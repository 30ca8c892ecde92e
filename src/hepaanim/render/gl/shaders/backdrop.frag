#version 330
// The backdrop drawn first, straight into the read-back target, for the direct path
// (draft look, no AA, full scale): no display pass at all, as DESIGN.md measured.
in vec2 v_uv;
uniform vec3 u_top;       // display colours
uniform vec3 u_bottom;
uniform float u_vignette;
uniform vec2 u_aspect;
out vec4 f_color;
void main() {
    vec3 c = mix(u_bottom, u_top, smoothstep(0.0, 1.0, v_uv.y));
    c *= 1.0 - u_vignette * smoothstep(0.35, 1.1, length((v_uv - 0.5) * u_aspect));
    f_color = vec4(c, 1.0);
}
