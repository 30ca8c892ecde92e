#version 330
// Screen-space ambient occlusion at a quarter of the render size, from the depth buffer
// alone (McGuire et al., "Scalable Ambient Obscurance", HPG 2012, simplified): a surface
// point is darkened by the nearby opaque surfaces in the hemisphere above it.  Eight
// samples on a spiral, rotated per pixel by a fixed screen pattern (a static camera
// sees the very same pattern every frame, so nothing shimmers), then a depth-aware blur.
// Output: r = ambient visibility (1 = open), g = view depth (for the blur).
uniform sampler2D u_depth;       // full render size, [0, 1]
uniform vec2 u_size;             // depth texture size in pixels
uniform vec4 u_cam;              // near, far, tan(fov_y / 2), aspect
uniform float u_radius;          // world units
uniform float u_intensity;
out vec4 f_color;

const int SAMPLES = 8;
// Sample i of a 3-turn spiral: angle (i + 0.5) / 8 * 3 turns, radius (i + 0.5) / 8.
const vec2 SPIRAL[8] = vec2[8](
    vec2(0.0239, 0.0577), vec2(-0.1732, -0.0718), vec2(0.2887, -0.1196), vec2(-0.1674, 0.4042),
    vec2(-0.2153, -0.5197), vec2(0.6352, 0.2631), vec2(-0.7507, 0.3109), vec2(0.3588, -0.8661));

float view_depth(ivec2 p) {
    float z = texelFetch(u_depth, clamp(p, ivec2(0), ivec2(u_size) - 1), 0).r * 2.0 - 1.0;
    float n = u_cam.x, f = u_cam.y;
    return 2.0 * n * f / (f + n - z * (f - n));
}

vec3 view_pos(ivec2 p) {
    float z = view_depth(p);
    vec2 ndc = (vec2(p) + 0.5) / u_size * 2.0 - 1.0;
    return vec3(ndc * vec2(u_cam.z * u_cam.w, u_cam.z) * z, -z);
}

void main() {
    ivec2 c = ivec2(gl_FragCoord.xy) * 4 + 2;
    float zc = texelFetch(u_depth, c, 0).r;
    if (zc >= 1.0) { f_color = vec4(1.0, 1e6, 0.0, 1.0); return; }     // background
    vec3 P = view_pos(c);
    // The normal from the nearer neighbour on each axis (so an edge does not bend it).
    vec3 px0 = view_pos(c + ivec2(2, 0)) - P, px1 = P - view_pos(c - ivec2(2, 0));
    vec3 py0 = view_pos(c + ivec2(0, 2)) - P, py1 = P - view_pos(c - ivec2(0, 2));
    vec3 dx = abs(px0.z) < abs(px1.z) ? px0 : px1;
    vec3 dy = abs(py0.z) < abs(py1.z) ? py0 : py1;
    vec3 N = normalize(cross(dx, dy));
    float focal = u_size.y * 0.5 / u_cam.z;
    float r_px = clamp(u_radius * focal / -P.z, 3.0, 64.0);
    float r2 = u_radius * u_radius;
    // Interleaved gradient noise (Jimenez 2014) on the quarter-size pixel grid turns the
    // spiral per pixel (one sin/cos per pixel; the spiral itself is a constant).
    float spin = 6.2831853 * fract(52.9829189 * fract(dot(gl_FragCoord.xy,
                                                          vec2(0.06711056, 0.00583715))));
    mat2 rot = mat2(cos(spin), sin(spin), -sin(spin), cos(spin)) * r_px;
    float sum = 0.0;
    for (int i = 0; i < SAMPLES; ++i) {
        vec3 v = view_pos(c + ivec2(rot * SPIRAL[i])) - P;
        float vv = dot(v, v);
        float vn = dot(v, N);
        float f = max(r2 - vv, 0.0) / r2;
        sum += f * f * f * max((vn - 0.02 * u_radius) / (vv + 0.01 * r2), 0.0);
    }
    float ao = max(0.0, 1.0 - sum * u_intensity * u_radius / float(SAMPLES));
    f_color = vec4(ao, -P.z, 0.0, 1.0);
}
