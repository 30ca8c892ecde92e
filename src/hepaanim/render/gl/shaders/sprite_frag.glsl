// The view ray through this pixel of an impostor's footprint (see sprite_vert.glsl).
#ifdef POINT_SPRITE
flat in vec3 v_ray0;
flat in vec2 v_ray_span;
vec3 view_ray() { return normalize(v_ray0 + vec3(gl_PointCoord * v_ray_span, 0.0)); }
#else
in vec3 v_view_pos;
vec3 view_ray() { return normalize(v_view_pos); }
#endif
