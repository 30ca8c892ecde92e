#version 330
// HDR -> display in ONE screen pass (on llvmpipe each full-resolution pass costs about a
// texture fetch per pixel per tap, so anti-aliasing, depth of field, bloom, exposure,
// white balance and grade, the ACES curve, gamma and the vignette share this one):
//   AA_FXAA  FXAA (after Lottes' FXAA 3.11 console variant) on the HDR picture, with
//            edges found on compressed luma so bright highlights do not dominate;
//   AA_EDGE  a three-tap edge blend, about half FXAA's cost;
//   DISPLAY_REFERRED  the input is already tone-mapped (the fast 8-bit path);
//   BLOOM    add the blurred bright pass (a variant, not a branch: llvmpipe performs
//            the texture fetches of an untaken branch anyway)
//   DOF      mix toward a blurred quarter-resolution copy by the circle of confusion.
in vec2 v_uv;
uniform sampler2D u_hdr;
uniform sampler2D u_bloom1;      // quarter resolution: both blurred levels, merged
uniform float u_bloom;           // 0 = off
uniform float u_exposure;
uniform vec3 u_balance;          // white balance * grade
uniform float u_vignette;
uniform vec2 u_aspect;           // (width / height, 1)
uniform vec2 u_inv;              // 1 / resolution
uniform vec3 u_bg_top;           // the backdrop, composited under the shot here (the scene
uniform vec3 u_bg_bottom;        // target holds premultiplied colour and coverage)
#ifdef AO
uniform sampler2D u_ao_tex;      // quarter size: ambient visibility (r)
uniform float u_ao;              // strength, 0..1
#endif
#ifdef DOF
uniform sampler2D u_dof;
uniform sampler2D u_depth;
uniform vec4 u_dof_params;       // focus distance, aperture, near, far
#endif
out vec4 f_color;

float luma(vec3 c) {
#ifdef DISPLAY_REFERRED
    return dot(c, vec3(0.299, 0.587, 0.114));
#else
    float l = dot(c, vec3(0.299, 0.587, 0.114)) * u_exposure;
    return l / (1.0 + l);        // compressed like the display will show it
#endif
}

vec4 resolve_aa() {
    ivec2 px = ivec2(gl_FragCoord.xy);
    vec4 m = texelFetch(u_hdr, px, 0);
#if defined(AA_FXAA)
    float lNW = luma(texelFetch(u_hdr, px + ivec2(-1, -1), 0).rgb);
    float lNE = luma(texelFetch(u_hdr, px + ivec2(1, -1), 0).rgb);
    float lSW = luma(texelFetch(u_hdr, px + ivec2(-1, 1), 0).rgb);
    float lSE = luma(texelFetch(u_hdr, px + ivec2(1, 1), 0).rgb);
    float lM = luma(m.rgb);
    float lMin = min(lM, min(min(lNW, lNE), min(lSW, lSE)));
    float lMax = max(lM, max(max(lNW, lNE), max(lSW, lSE)));
    if (lMax - lMin < max(0.0833, lMax * 0.166)) return m;   // FXAA 3.11 defaults
    // An isolated point (a glowing molecule one or two pixels wide) is not an edge:
    // FXAA would smear it into a cross.
    float lDiag = max(max(lNW, lNE), max(lSW, lSE));
    if (lM > lDiag * 1.25 + 0.02) return m;
    vec2 dir = vec2(-((lNW + lNE) - (lSW + lSE)), (lNW + lSW) - (lNE + lSE));
    float reduce = max((lNW + lNE + lSW + lSE) * (0.25 / 8.0), 1.0 / 128.0);
    float rcp = 1.0 / (min(abs(dir.x), abs(dir.y)) + reduce);
    dir = clamp(dir * rcp, vec2(-8.0), vec2(8.0)) * u_inv;
    vec4 a = 0.5 * (texture(u_hdr, v_uv + dir * (1.0 / 3.0 - 0.5)) +
                    texture(u_hdr, v_uv + dir * (2.0 / 3.0 - 0.5)));
    vec4 b = a * 0.5 + 0.25 * (texture(u_hdr, v_uv - dir * 0.5) +
                               texture(u_hdr, v_uv + dir * 0.5));
    float lB = luma(b.rgb);
    return (lB < lMin || lB > lMax) ? a : b;
#elif defined(AA_EDGE)
    vec4 n = 0.5 * (texture(u_hdr, v_uv + u_inv * 0.5) + texture(u_hdr, v_uv - u_inv * 0.5));
    float k = smoothstep(0.02, 0.08, abs(luma(m.rgb) - luma(n.rgb))) * 0.75;
    return mix(m, n, k);
#else
    return m;
#endif
}

vec3 aces(vec3 c) {
    return clamp((c * (2.51 * c + 0.03)) / (c * (2.43 * c + 0.59) + 0.14), 0.0, 1.0);
}

// gamma 1/2.2 as a cubic in sqrt(c) (max error 1.6/255): pow() per pixel is costly on llvmpipe
vec3 encode(vec3 c) {
    vec3 s = sqrt(c);
    return clamp(s * (1.2069157 + s * (-0.35201256 + s * 0.14692511)), 0.0, 1.0);
}

void main() {
    vec4 shot = resolve_aa();
#ifdef DOF
    float z = texelFetch(u_depth, ivec2(gl_FragCoord.xy), 0).r * 2.0 - 1.0;
    float n = u_dof_params.z, f = u_dof_params.w;
    float dist = 2.0 * n * f / (f + n - z * (f - n));
    float coc = clamp(abs(dist - u_dof_params.x) / max(dist, 1e-4) * u_dof_params.y, 0.0, 1.0);
    shot = mix(shot, texture(u_dof, v_uv), coc);
#endif
#ifdef AO
    shot.rgb *= mix(1.0, texture(u_ao_tex, v_uv).r, u_ao);    // the shot, not the backdrop
#endif
#ifdef TRANSPARENT
    vec3 c = shot.rgb;                  // no backdrop: premultiplied colour, alpha below
#else
    vec3 bg = mix(u_bg_bottom, u_bg_top, smoothstep(0.0, 1.0, v_uv.y));
    vec3 c = shot.rgb + (1.0 - clamp(shot.a, 0.0, 1.0)) * bg;
#endif
#ifdef DISPLAY_REFERRED
#ifdef BLOOM
    // screen-blend the glow onto display colours
    vec3 g = u_bloom * texture(u_bloom1, v_uv).rgb;
    c = 1.0 - (1.0 - c) * (1.0 - clamp(g, 0.0, 1.0));
#endif
#else
    c *= u_exposure;
#ifdef BLOOM
    c += u_bloom * texture(u_bloom1, v_uv).rgb;
#endif
    c = aces(c * u_balance);
#endif
    vec2 q = (v_uv - 0.5) * u_aspect;
    c *= 1.0 - u_vignette * smoothstep(0.35, 1.1, length(q));
#ifdef TRANSPARENT
    float alpha = clamp(shot.a, 0.0, 1.0);
#else
    float alpha = 1.0;
#endif
#ifdef DISPLAY_REFERRED
    f_color = vec4(c, alpha);
#else
    f_color = vec4(encode(c), alpha);
#endif
}
