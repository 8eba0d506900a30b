//! Writes MapLibre glyph PBFs (`{start}-{end}.pbf`, 256 code points each) for one font.
//!
//! `cargo run --release --manifest-path tools/glyphs/Cargo.toml -- FONT.ttf FONTSTACK OUTDIR 0-255 256-511`
//!
//! Glyphs follow the conventions MapLibre expects (those of Mapbox's fontnik): rendered at a
//! 24 px em, a 3 px buffer around each bitmap, signed distances out to 8 px, cut off at 0.25.
//! Rasterising is ab_glyph's, the distance field sdf_glyph_renderer's; the protobuf messages
//! are derived with prost from Mapbox's `glyphs.proto`.

use ab_glyph::{Font, FontRef, ScaleFont};
use std::path::PathBuf;

const SIZE_PX: f32 = 24.0;
const BUFFER: usize = 3;
const RADIUS: usize = 8;
const CUTOFF: f64 = 0.25;

#[derive(Clone, PartialEq, prost::Message)]
struct Glyph {
    #[prost(uint32, required, tag = "1")]
    id: u32,
    #[prost(bytes = "vec", optional, tag = "2")]
    bitmap: Option<Vec<u8>>,
    #[prost(uint32, required, tag = "3")]
    width: u32,
    #[prost(uint32, required, tag = "4")]
    height: u32,
    #[prost(sint32, required, tag = "5")]
    left: i32,
    #[prost(sint32, required, tag = "6")]
    top: i32,
    #[prost(uint32, required, tag = "7")]
    advance: u32,
}

#[derive(Clone, PartialEq, prost::Message)]
struct Fontstack {
    #[prost(string, required, tag = "1")]
    name: String,
    #[prost(string, required, tag = "2")]
    range: String,
    #[prost(message, repeated, tag = "3")]
    glyphs: Vec<Glyph>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct Glyphs {
    #[prost(message, repeated, tag = "1")]
    stacks: Vec<Fontstack>,
}

fn glyph(font: &FontRef, c: char) -> Result<Option<Glyph>, String> {
    let id = font.glyph_id(c);
    if id.0 == 0 {
        return Ok(None); // not in the font
    }
    let scale = font
        .pt_to_px_scale(SIZE_PX)
        .ok_or("font has no units per em")?;
    let scaled = font.as_scaled(scale);
    let advance = scaled.h_advance(id).round().max(0.0) as u32;
    let positioned = id.with_scale_and_position(scale, ab_glyph::point(0.0, 0.0));
    let Some(outline) = font.outline_glyph(positioned) else {
        // No outline (a space): advance only.
        return Ok(Some(Glyph {
            id: c as u32,
            bitmap: None,
            width: 0,
            height: 0,
            left: 0,
            top: 0,
            advance,
        }));
    };
    let bounds = outline.px_bounds();
    let (w, h) = (bounds.width() as usize, bounds.height() as usize);
    let mut alpha = vec![0u8; w * h];
    outline.draw(|x, y, coverage| {
        if let Some(a) = alpha.get_mut(y as usize * w + x as usize) {
            *a = (coverage.clamp(0.0, 1.0) * 255.0).round() as u8;
        }
    });
    let bitmap = sdf_glyph_renderer::BitmapGlyph::from_unbuffered(&alpha, w, h, BUFFER)
        .map_err(|e| format!("{c:?}: {e}"))?;
    let sdf = sdf_glyph_renderer::clamp_to_u8(&bitmap.render_sdf(RADIUS), CUTOFF)
        .map_err(|e| format!("{c:?}: {e}"))?;
    Ok(Some(Glyph {
        id: c as u32,
        bitmap: Some(sdf),
        width: w as u32,
        height: h as u32,
        left: bounds.min.x as i32,
        // Distance from the baseline up to the bitmap's top row (y grows down in ab_glyph).
        top: -(bounds.min.y as i32),
        advance,
    }))
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [font_path, name, out, ranges @ ..] = args.as_slice() else {
        return Err("usage: senda-glyphs FONT.ttf FONTSTACK OUTDIR START-END...".into());
    };
    let data = std::fs::read(font_path).map_err(|e| format!("{font_path}: {e}"))?;
    let font = FontRef::try_from_slice(&data).map_err(|e| format!("{font_path}: {e}"))?;
    let out = PathBuf::from(out);
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    for range in ranges {
        let (a, b) = range
            .split_once('-')
            .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)))
            .ok_or_else(|| format!("{range:?}: expected START-END"))?;
        let mut glyphs = Vec::new();
        for cp in a..=b {
            if let Some(c) = char::from_u32(cp) {
                glyphs.extend(glyph(&font, c)?);
            }
        }
        let count = glyphs.len();
        let msg = Glyphs {
            stacks: vec![Fontstack {
                name: name.clone(),
                range: range.clone(),
                glyphs,
            }],
        };
        let path = out.join(format!("{range}.pbf"));
        std::fs::write(&path, prost::Message::encode_to_vec(&msg))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("{}: {count} glyphs", path.display());
    }
    Ok(())
}
