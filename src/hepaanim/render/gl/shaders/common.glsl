// Shared by every lit program: quaternion helpers, the light rig, the tone curve.
vec3 quat_rotate(vec4 q, vec3 v) {
    return v + 2.0 * cross(q.xyz, cross(q.xyz, v) + q.w * v);
}

uniform vec3 u_light_dir[3];     // view space, toward the light
uniform vec3 u_light_col[3];     // colour * intensity
uniform vec3 u_ambient;
uniform float u_exposure;

// Material
uniform vec4 u_color;            // linear rgb, opacity
uniform vec3 u_base;             // = u_color.rgb (named for the plain-mesh path)
uniform float u_emissive;
uniform float u_roughness;
uniform float u_rim;
uniform vec3 u_rim_color;        // linear
uniform float u_wrap;

vec3 srgb_to_linear(vec3 c) {
    return mix(c / 12.92, pow((c + 0.055) / 1.055, vec3(2.4)), step(0.04045, c));
}

// Soft wrap diffuse + Blinn-Phong specular + Fresnel rim, in view space (V toward eye).
vec3 shade(vec3 base, vec3 N, vec3 V, out float fresnel) {
    float ndv = clamp(dot(N, V), 0.0, 1.0);
    float f1 = 1.0 - ndv;
    fresnel = f1 * f1 * f1;
    vec3 c = base * u_ambient * (0.75 + 0.25 * N.y);
    for (int i = 0; i < 3; ++i) {
        float diff = max((dot(N, u_light_dir[i]) + u_wrap) / (1.0 + u_wrap), 0.0);
        c += base * (diff * u_light_col[i]);
    }
    // Specular from the key light only: the fill and rim read as soft light.
    vec3 L = u_light_dir[0];
    vec3 H = normalize(L + V);
    float shininess = mix(90.0, 6.0, u_roughness);
    float spec = pow(max(dot(N, H), 0.0), shininess) * (1.0 - u_roughness) * 0.55;
    c += spec * step(0.0, dot(N, L)) * u_light_col[0];
    c += u_rim_color * (u_rim * fresnel);
    c += base * u_emissive;
    return c;
}

// ACES filmic curve (Narkowicz fit), then sRGB-ish gamma for an 8-bit target.
vec3 tonemap(vec3 c) {
    c *= u_exposure;
    c = clamp((c * (2.51 * c + 0.03)) / (c * (2.43 * c + 0.59) + 0.14), 0.0, 1.0);
    return pow(c, vec3(1.0 / 2.2));
}
