//! Generators of small, valid demo files, so the demo school's outcomes open in a browser:
//! a one-page PDF with Chinese text, a PNG and a JPEG picture, an MP3 and an MP4 clip.

use std::io;

/// Builds a one-page A4 PDF with a title and lines of Traditional Chinese text. The text uses
/// the standard CJK font MSung-Light with the UniCNS-UCS2-H encoding, which PDF readers
/// supply themselves, so no font is embedded.
pub fn pdf(title: &str, lines: &[String]) -> Vec<u8> {
    let mut content = String::from("BT\n/F1 22 Tf\n72 770 Td\n");
    content.push_str(&format!("<{}> Tj\n", ucs2_hex(title)));
    content.push_str("/F1 13 Tf\n0 -40 Td\n");
    for line in lines {
        content.push_str(&format!("<{}> Tj\n0 -24 Td\n", ucs2_hex(line)));
    }
    content.push_str("ET\n");

    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> \
         /Contents 4 0 R >>"
            .to_owned(),
        format!("<< /Length {} >>\nstream\n{content}endstream", content.len()),
        "<< /Type /Font /Subtype /Type0 /BaseFont /MSung-Light /Encoding /UniCNS-UCS2-H \
         /DescendantFonts [6 0 R] >>"
            .to_owned(),
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /MSung-Light \
         /CIDSystemInfo << /Registry (Adobe) /Ordering (CNS1) /Supplement 4 >> /FontDescriptor 7 0 R >>"
            .to_owned(),
        "<< /Type /FontDescriptor /FontName /MSung-Light /Flags 6 /FontBBox [-160 -259 1015 1064] \
         /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>"
            .to_owned(),
    ];
    let mut out: Vec<u8> = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (index, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", index + 1).as_bytes());
    }
    let xref_at = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// Encodes text as big-endian UCS-2 hex for a PDF string; characters outside the BMP become
/// a question mark.
fn ucs2_hex(text: &str) -> String {
    text.chars()
        .map(|c| u16::try_from(u32::from(c)).unwrap_or(u16::from(b'?')))
        .map(|unit| format!("{unit:04X}"))
        .collect()
}

/// A picture: diagonal bands in the given hue (0–359), `width` × `height` RGB pixels.
fn picture(width: u32, height: u32, hue: u32) -> Vec<u8> {
    let mut pixels = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            let band = ((x + y) / 24) % 2;
            let lightness = if band == 0 { 0.55 } else { 0.8 };
            let (r, g, b) = hsl_to_rgb(
                hue as f32,
                0.55,
                lightness - 0.15 * (y as f32 / height as f32),
            );
            pixels.extend_from_slice(&[r, g, b]);
        }
    }
    pixels
}

fn hsl_to_rgb(hue: f32, saturation: f32, lightness: f32) -> (u8, u8, u8) {
    let chroma = (1.0 - (2.0 * lightness - 1.0).abs()) * saturation;
    let h = (hue % 360.0) / 60.0;
    let x = chroma * (1.0 - (h % 2.0 - 1.0).abs());
    let (r, g, b) = match h as u32 {
        0 => (chroma, x, 0.0),
        1 => (x, chroma, 0.0),
        2 => (0.0, chroma, x),
        3 => (0.0, x, chroma),
        4 => (x, 0.0, chroma),
        _ => (chroma, 0.0, x),
    };
    let m = lightness - chroma / 2.0;
    let to_byte = |value: f32| ((value + m).clamp(0.0, 1.0) * 255.0).round() as u8;
    (to_byte(r), to_byte(g), to_byte(b))
}

/// Encodes a 480 × 320 picture as PNG.
pub fn png(hue: u32) -> io::Result<Vec<u8>> {
    let (width, height) = (480, 320);
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(io::Error::other)?;
        writer
            .write_image_data(&picture(width, height, hue))
            .map_err(io::Error::other)?;
        writer.finish().map_err(io::Error::other)?;
    }
    Ok(out)
}

/// Encodes a 640 × 480 picture as baseline JPEG.
pub fn jpeg(hue: u32) -> io::Result<Vec<u8>> {
    let (width, height) = (640u16, 480u16);
    let mut out = Vec::new();
    let encoder = jpeg_encoder::Encoder::new(&mut out, 85);
    encoder
        .encode(
            &picture(u32::from(width), u32::from(height), hue),
            width,
            height,
            jpeg_encoder::ColorType::Rgb,
        )
        .map_err(io::Error::other)?;
    Ok(out)
}

/// Builds an MP3 of `seconds` of silence: an ID3v2.3 tag with the title, then MPEG-1 layer III
/// frames (128 kbit/s, 44.1 kHz, mono) whose side information is all zero, which decoders play
/// as silence.
pub fn mp3(title: &str, seconds: u32) -> Vec<u8> {
    let mut out = id3_tag(title);
    // 1152 samples per frame at 44.1 kHz; 144 × 128000 / 44100 = 417 bytes per frame.
    let frames = seconds * 44_100 / 1152;
    for _ in 0..frames {
        let mut frame = vec![0u8; 417];
        frame[..4].copy_from_slice(&[0xFF, 0xFB, 0x90, 0xC4]);
        out.extend_from_slice(&frame);
    }
    out
}

fn id3_tag(title: &str) -> Vec<u8> {
    // TIT2 frame, text encoding 1 = UTF-16 with BOM.
    let mut text = vec![1u8, 0xFF, 0xFE];
    for unit in title.encode_utf16() {
        text.extend_from_slice(&unit.to_le_bytes());
    }
    let mut frame = b"TIT2".to_vec();
    frame.extend_from_slice(&(text.len() as u32).to_be_bytes());
    frame.extend_from_slice(&[0, 0]);
    frame.extend_from_slice(&text);
    let size = frame.len() as u32;
    let mut tag = b"ID3\x03\x00\x00".to_vec();
    // The tag size is a 28-bit "syncsafe" integer: 7 bits per byte.
    tag.extend_from_slice(&[
        (size >> 21) as u8 & 0x7F,
        (size >> 14) as u8 & 0x7F,
        (size >> 7) as u8 & 0x7F,
        size as u8 & 0x7F,
    ]);
    tag.extend_from_slice(&frame);
    tag
}

/// Builds an MP4 of `frames` frames at 10 frames/s, 64 × 48 pixels: H.264 baseline where every
/// frame is an IDR picture of uncompressed (I_PCM) macroblocks, showing a bar that moves
/// across a background of the given hue. No encoder library is needed for I_PCM.
pub fn mp4(hue: u32, frames: u32) -> Vec<u8> {
    const WIDTH_MBS: u32 = 4;
    const HEIGHT_MBS: u32 = 3;
    let sps = nal(0x67, &sps_rbsp(WIDTH_MBS - 1, HEIGHT_MBS - 1));
    let pps = nal(0x68, &pps_rbsp());
    let samples: Vec<Vec<u8>> = (0..frames)
        .map(|index| {
            let slice = nal(0x65, &idr_slice_rbsp(index, WIDTH_MBS, HEIGHT_MBS, hue));
            let mut sample = (slice.len() as u32).to_be_bytes().to_vec();
            sample.extend_from_slice(&slice);
            sample
        })
        .collect();
    mp4_container(&sps, &pps, &samples, WIDTH_MBS * 16, HEIGHT_MBS * 16)
}

/// Writes bits most significant first, with the Exp-Golomb codes of H.264.
#[derive(Default)]
struct BitWriter {
    bytes: Vec<u8>,
    bit: u8,
}

impl BitWriter {
    fn put(&mut self, value: u32, bits: u8) {
        for shift in (0..bits).rev() {
            if self.bit == 0 {
                self.bytes.push(0);
            }
            let last = self.bytes.len() - 1;
            self.bytes[last] |= (((value >> shift) & 1) as u8) << (7 - self.bit);
            self.bit = (self.bit + 1) % 8;
        }
    }

    fn ue(&mut self, value: u32) {
        let code = value + 1;
        let length = 32 - code.leading_zeros() as u8;
        self.put(0, length - 1);
        self.put(code, length);
    }

    fn se(&mut self, value: i32) {
        let mapped = if value > 0 {
            (2 * value - 1) as u32
        } else {
            (-2 * value) as u32
        };
        self.ue(mapped);
    }

    fn align_zero(&mut self) {
        while self.bit != 0 {
            self.put(0, 1);
        }
    }

    fn trailing(mut self) -> Vec<u8> {
        self.put(1, 1);
        self.align_zero();
        self.bytes
    }
}

fn sps_rbsp(width_mbs_minus1: u32, height_mbs_minus1: u32) -> Vec<u8> {
    let mut w = BitWriter::default();
    w.put(66, 8); // profile_idc: Baseline
    w.put(0xC0, 8); // constraint_set0 and constraint_set1
    w.put(30, 8); // level_idc 3.0
    w.ue(0); // seq_parameter_set_id
    w.ue(0); // log2_max_frame_num_minus4
    w.ue(2); // pic_order_cnt_type 2: order follows decoding order
    w.ue(1); // max_num_ref_frames
    w.put(0, 1); // gaps_in_frame_num_value_allowed_flag
    w.ue(width_mbs_minus1);
    w.ue(height_mbs_minus1);
    w.put(1, 1); // frame_mbs_only_flag
    w.put(1, 1); // direct_8x8_inference_flag
    w.put(0, 1); // frame_cropping_flag
    w.put(0, 1); // vui_parameters_present_flag
    w.trailing()
}

fn pps_rbsp() -> Vec<u8> {
    let mut w = BitWriter::default();
    w.ue(0); // pic_parameter_set_id
    w.ue(0); // seq_parameter_set_id
    w.put(0, 1); // entropy_coding_mode_flag: CAVLC
    w.put(0, 1); // bottom_field_pic_order_in_frame_present_flag
    w.ue(0); // num_slice_groups_minus1
    w.ue(0); // num_ref_idx_l0_default_active_minus1
    w.ue(0); // num_ref_idx_l1_default_active_minus1
    w.put(0, 1); // weighted_pred_flag
    w.put(0, 2); // weighted_bipred_idc
    w.se(0); // pic_init_qp_minus26
    w.se(0); // pic_init_qs_minus26
    w.se(0); // chroma_qp_index_offset
    w.put(0, 1); // deblocking_filter_control_present_flag
    w.put(0, 1); // constrained_intra_pred_flag
    w.put(0, 1); // redundant_pic_cnt_present_flag
    w.trailing()
}

fn idr_slice_rbsp(index: u32, width_mbs: u32, height_mbs: u32, hue: u32) -> Vec<u8> {
    let mut w = BitWriter::default();
    w.ue(0); // first_mb_in_slice
    w.ue(7); // slice_type: I, and every slice of the picture is I
    w.ue(0); // pic_parameter_set_id
    w.put(0, 4); // frame_num (log2_max_frame_num = 4)
    w.ue(index % 2); // idr_pic_id: consecutive IDR pictures must differ
    w.put(0, 1); // no_output_of_prior_pics_flag
    w.put(0, 1); // long_term_reference_flag
    w.se(0); // slice_qp_delta
    let (r, g, b) = hsl_to_rgb(hue as f32, 0.5, 0.6);
    let (y_bg, cb_bg, cr_bg) = rgb_to_ycbcr(r, g, b);
    let bar_x = (index * 4) % (width_mbs * 16);
    for mb_y in 0..height_mbs {
        for mb_x in 0..width_mbs {
            w.ue(25); // mb_type I_PCM
            w.align_zero(); // pcm_alignment_zero_bit
            for y in 0..16 {
                for x in 0..16 {
                    let px = mb_x * 16 + x;
                    let in_bar = px >= bar_x && px < bar_x + 8;
                    let _ = (mb_y, y);
                    w.put(u32::from(if in_bar { 235 } else { y_bg }), 8);
                }
            }
            for _ in 0..64 {
                w.put(u32::from(cb_bg), 8);
            }
            for _ in 0..64 {
                w.put(u32::from(cr_bg), 8);
            }
        }
    }
    w.trailing()
}

/// BT.601 limited range; every value stays within 16–240, so never zero.
fn rgb_to_ycbcr(r: u8, g: u8, b: u8) -> (u8, u8, u8) {
    let (r, g, b) = (f32::from(r), f32::from(g), f32::from(b));
    let y = 16.0 + 0.257 * r + 0.504 * g + 0.098 * b;
    let cb = 128.0 - 0.148 * r - 0.291 * g + 0.439 * b;
    let cr = 128.0 + 0.439 * r - 0.368 * g - 0.071 * b;
    (y.round() as u8, cb.round() as u8, cr.round() as u8)
}

/// Wraps an RBSP in a NAL unit with the given header byte, inserting emulation-prevention
/// bytes so that no start code appears inside.
fn nal(header: u8, rbsp: &[u8]) -> Vec<u8> {
    let mut out = vec![header];
    let mut zeros = 0;
    for &byte in rbsp {
        if zeros >= 2 && byte <= 3 {
            out.push(3);
            zeros = 0;
        }
        out.push(byte);
        zeros = if byte == 0 { zeros + 1 } else { 0 };
    }
    out
}

fn mp4_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(body);
    out
}

fn full_box(kind: &[u8; 4], version: u8, flags: u32, body: &[u8]) -> Vec<u8> {
    let mut content = vec![version];
    content.extend_from_slice(&flags.to_be_bytes()[1..]);
    content.extend_from_slice(body);
    mp4_box(kind, &content)
}

const MATRIX: [u32; 9] = [0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000];

fn mp4_container(sps: &[u8], pps: &[u8], samples: &[Vec<u8>], width: u32, height: u32) -> Vec<u8> {
    let count = samples.len() as u32;
    let duration_ms = count * 100;
    let ftyp = mp4_box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2avc1mp41");

    let mut mvhd = Vec::new();
    mvhd.extend_from_slice(&[0u8; 8]); // creation and modification time
    mvhd.extend_from_slice(&1000u32.to_be_bytes()); // timescale
    mvhd.extend_from_slice(&duration_ms.to_be_bytes());
    mvhd.extend_from_slice(&0x0001_0000u32.to_be_bytes()); // rate 1.0
    mvhd.extend_from_slice(&0x0100u16.to_be_bytes()); // volume 1.0
    mvhd.extend_from_slice(&[0u8; 10]);
    MATRIX
        .iter()
        .for_each(|value| mvhd.extend_from_slice(&value.to_be_bytes()));
    mvhd.extend_from_slice(&[0u8; 24]); // pre_defined
    mvhd.extend_from_slice(&2u32.to_be_bytes()); // next_track_ID
    let mvhd = full_box(b"mvhd", 0, 0, &mvhd);

    let mut tkhd = Vec::new();
    tkhd.extend_from_slice(&[0u8; 8]);
    tkhd.extend_from_slice(&1u32.to_be_bytes()); // track_ID
    tkhd.extend_from_slice(&[0u8; 4]);
    tkhd.extend_from_slice(&duration_ms.to_be_bytes());
    tkhd.extend_from_slice(&[0u8; 8]);
    tkhd.extend_from_slice(&[0u8; 4]); // layer, alternate_group
    tkhd.extend_from_slice(&[0u8; 4]); // volume, reserved
    MATRIX
        .iter()
        .for_each(|value| tkhd.extend_from_slice(&value.to_be_bytes()));
    tkhd.extend_from_slice(&(width << 16).to_be_bytes());
    tkhd.extend_from_slice(&(height << 16).to_be_bytes());
    let tkhd = full_box(b"tkhd", 0, 3, &tkhd);

    let mut mdhd = Vec::new();
    mdhd.extend_from_slice(&[0u8; 8]);
    mdhd.extend_from_slice(&10u32.to_be_bytes()); // timescale: one tick per frame
    mdhd.extend_from_slice(&count.to_be_bytes());
    mdhd.extend_from_slice(&0x55C4u16.to_be_bytes()); // language "und"
    mdhd.extend_from_slice(&[0u8; 2]);
    let mdhd = full_box(b"mdhd", 0, 0, &mdhd);
    let hdlr = full_box(
        b"hdlr",
        0,
        0,
        b"\0\0\0\0vide\0\0\0\0\0\0\0\0\0\0\0\0VideoHandler\0",
    );

    let mut avcc = vec![1, 66, 0xC0, 30, 0xFF, 0xE1];
    avcc.extend_from_slice(&(sps.len() as u16).to_be_bytes());
    avcc.extend_from_slice(sps);
    avcc.push(1);
    avcc.extend_from_slice(&(pps.len() as u16).to_be_bytes());
    avcc.extend_from_slice(pps);
    let mut avc1 = vec![0u8; 6];
    avc1.extend_from_slice(&1u16.to_be_bytes()); // data_reference_index
    avc1.extend_from_slice(&[0u8; 16]);
    avc1.extend_from_slice(&(width as u16).to_be_bytes());
    avc1.extend_from_slice(&(height as u16).to_be_bytes());
    avc1.extend_from_slice(&0x0048_0000u32.to_be_bytes());
    avc1.extend_from_slice(&0x0048_0000u32.to_be_bytes());
    avc1.extend_from_slice(&[0u8; 4]);
    avc1.extend_from_slice(&1u16.to_be_bytes()); // frame_count
    avc1.extend_from_slice(&[0u8; 32]); // compressorname
    avc1.extend_from_slice(&0x0018u16.to_be_bytes()); // depth
    avc1.extend_from_slice(&(-1i16).to_be_bytes());
    avc1.extend_from_slice(&mp4_box(b"avcC", &avcc));
    let mut stsd = 1u32.to_be_bytes().to_vec();
    stsd.extend_from_slice(&mp4_box(b"avc1", &avc1));
    let stsd = full_box(b"stsd", 0, 0, &stsd);

    let mut stts = 1u32.to_be_bytes().to_vec();
    stts.extend_from_slice(&count.to_be_bytes());
    stts.extend_from_slice(&1u32.to_be_bytes());
    let stts = full_box(b"stts", 0, 0, &stts);
    let mut stsc = 1u32.to_be_bytes().to_vec();
    stsc.extend_from_slice(&1u32.to_be_bytes());
    stsc.extend_from_slice(&count.to_be_bytes());
    stsc.extend_from_slice(&1u32.to_be_bytes());
    let stsc = full_box(b"stsc", 0, 0, &stsc);
    let mut stsz = 0u32.to_be_bytes().to_vec();
    stsz.extend_from_slice(&count.to_be_bytes());
    samples
        .iter()
        .for_each(|sample| stsz.extend_from_slice(&(sample.len() as u32).to_be_bytes()));
    let stsz = full_box(b"stsz", 0, 0, &stsz);

    // The chunk offset depends on the size of moov, which contains it: build moov once with a
    // placeholder, then again with the real offset (same size).
    let build_moov = |chunk_offset: u32| {
        let mut stco = 1u32.to_be_bytes().to_vec();
        stco.extend_from_slice(&chunk_offset.to_be_bytes());
        let stco = full_box(b"stco", 0, 0, &stco);
        let stbl = mp4_box(
            b"stbl",
            &[stsd.clone(), stts.clone(), stsc.clone(), stsz.clone(), stco].concat(),
        );
        let dref = full_box(
            b"dref",
            0,
            0,
            &[1u32.to_be_bytes().to_vec(), full_box(b"url ", 0, 1, &[])].concat(),
        );
        let dinf = mp4_box(b"dinf", &dref);
        let vmhd = full_box(b"vmhd", 0, 1, &[0u8; 8]);
        let minf = mp4_box(b"minf", &[vmhd, dinf, stbl].concat());
        let mdia = mp4_box(b"mdia", &[mdhd.clone(), hdlr.clone(), minf].concat());
        let trak = mp4_box(b"trak", &[tkhd.clone(), mdia].concat());
        mp4_box(b"moov", &[mvhd.clone(), trak].concat())
    };
    let moov_size = build_moov(0).len();
    let moov = build_moov((ftyp.len() + moov_size + 8) as u32);
    let mdat = mp4_box(b"mdat", &samples.concat());
    [ftyp, moov, mdat].concat()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::files::{FileKind, FileRules, FileSlot, TAIL_LEN, detect_kind};

    fn check(slot: FileSlot, bytes: &[u8]) -> FileKind {
        let tail = &bytes[bytes.len().saturating_sub(TAIL_LEN)..];
        FileRules::default()
            .check(slot, "demo", bytes.len() as u64, bytes, tail)
            .unwrap()
    }

    #[test]
    fn generated_files_pass_the_upload_rules() {
        let pdf = pdf(
            "課程學習成果",
            &["學生：陳宇翔".to_owned(), "科目：物理".to_owned()],
        );
        assert_eq!(check(FileSlot::Document, &pdf), FileKind::Pdf);
        assert_eq!(check(FileSlot::Document, &png(200).unwrap()), FileKind::Png);
        assert_eq!(
            check(FileSlot::Document, &jpeg(30).unwrap()),
            FileKind::Jpeg
        );
        assert_eq!(check(FileSlot::Media, &mp3("朗讀", 2)), FileKind::Mp3);
        assert_eq!(check(FileSlot::Media, &mp4(120, 20)), FileKind::Mp4);
    }

    #[test]
    fn pdf_xref_offsets_point_at_objects() {
        let pdf = pdf("標題", &[]);
        let tail = String::from_utf8(pdf[pdf.len() - 40..].to_vec()).unwrap();
        let xref_at: usize = tail
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let xref = String::from_utf8(pdf[xref_at..].to_vec()).unwrap();
        assert!(xref.starts_with("xref"));
        for (index, entry) in xref.lines().skip(3).take(7).enumerate() {
            let offset: usize = entry[..10].parse().unwrap();
            assert!(
                pdf[offset..].starts_with(format!("{} 0 obj", index + 1).as_bytes()),
                "object {}",
                index + 1
            );
        }
    }

    #[test]
    fn mp3_frames_follow_the_tag() {
        let mp3 = mp3("t", 1);
        assert!(mp3.starts_with(b"ID3"));
        let tag_len = 10 + usize::from(mp3[9]);
        assert_eq!(&mp3[tag_len..tag_len + 2], &[0xFF, 0xFB]);
        assert_eq!(detect_kind(&mp3[tag_len..]), Some(FileKind::Mp3));
    }

    #[test]
    fn nal_escapes_start_codes() {
        assert_eq!(
            nal(0x65, &[0, 0, 1, 0, 0, 0]),
            vec![0x65, 0, 0, 3, 1, 0, 0, 3, 0]
        );
    }

    #[test]
    fn exp_golomb_codes() {
        let mut w = BitWriter::default();
        w.ue(0); // 1
        w.ue(1); // 010
        w.ue(25); // 000011010
        w.se(-1); // 011
        assert_eq!(w.trailing(), vec![0b1010_0000, 0b1101_0011, 0b1000_0000]);
    }
}
