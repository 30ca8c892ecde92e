// The screen footprint of a ray-cast impostor, vertex side.  A camera-facing quad per
// instance (in_corner, two triangles), or with POINT_SPRITE one point covering the exact
// screen bounds of the body's bounding sphere: llvmpipe bins a point as one rectangle,
// where a quad is two triangles whose shared diagonal shades its 4x4 blocks twice
// (measured: 2,000 particles 0.8 ms and 300 cells 0.5 ms cheaper a 720p frame).  GL
// clips a point by its centre, so the renderer gives points only bodies wholly inside
// the view (and no bigger than the driver's largest point).
#ifdef POINT_SPRITE
uniform vec2 u_target;           // render target size, pixels
flat out vec3 v_ray0;            // view ray (at z = -1) through the point's top-left corner
flat out vec2 v_ray_span;        // its change across the point (x rightwards, y downwards)

// The tangents x/-z bounding a sphere seen from the eye, in the plane of the view axis
// and one screen axis: centre tangent t = x / -z, half-angle asin(R / |c|).
vec2 tangent_bounds(float x, float z, float R) {
    float t = x / -z;
    float a = R / sqrt(max(x * x + z * z - R * R, 1e-12));
    return vec2((t - a) / (1.0 + t * a), (t + a) / max(1.0 - t * a, 1e-6));
}

void sprite(vec3 c, float R) {
    vec2 bx = tangent_bounds(c.x, c.z, R), by = tangent_bounds(c.y, c.z, R);
    vec2 focal = vec2(u_proj[0][0], u_proj[1][1]) * u_target * 0.5;     // pixels per tangent
    vec2 extent = vec2(bx.y - bx.x, by.y - by.x) * focal;
    float side = max(extent.x, extent.y) + 1.0;
    vec2 mid = vec2(bx.x + bx.y, by.x + by.y) * 0.5;
    vec2 half_side = 0.5 * side / focal;
    v_ray0 = vec3(mid.x - half_side.x, mid.y + half_side.y, -1.0);
    v_ray_span = vec2(2.0, -2.0) * half_side;        // gl_PointCoord's origin is top-left
    float d = length(c);
    vec4 front = u_proj * vec4(c * (max(d - R, 1e-3) / max(d, 1e-6)), 1.0);
    gl_PointSize = side;
    gl_Position = vec4(mid * vec2(u_proj[0][0], u_proj[1][1]), front.z / front.w, 1.0);
}
#else
in vec2 in_corner;
out vec3 v_view_pos;

// A camera-facing quad at the sphere's front, big enough to cover it in perspective.
void sprite(vec3 c, float R) {
    float d = length(c);
    vec3 fwd = c / max(d, 1e-6);
    vec3 right = normalize(cross(fwd, vec3(1e-4, 1.0, 0.0)));
    vec3 up = cross(right, fwd);
    float dq = max(d - R, 1e-3);
    vec3 p = fwd * dq + (right * in_corner.x + up * in_corner.y)
             * (dq * R / sqrt(max(d * d - R * R, 1e-6))) * 1.02;
    if (d <= R * 1.001) p = c + (right * in_corner.x + up * in_corner.y) * R * 50.0;
    v_view_pos = p;
    gl_Position = u_proj * vec4(p, 1.0);
}
#endif
