//! The bundled fonts (assets/fonts, SIL Open Font License): parsed once, on first use.

use std::sync::OnceLock;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;

const FILES: [&[u8]; 5] = [
    include_bytes!("../../../../assets/fonts/NotoSans-Regular.ttf"),
    include_bytes!("../../../../assets/fonts/NotoSans-Bold.ttf"),
    include_bytes!("../../../../assets/fonts/NotoSans-Italic.ttf"),
    include_bytes!("../../../../assets/fonts/NotoSansArabic-Regular.ttf"),
    include_bytes!("../../../../assets/fonts/NotoSansArabic-Bold.ttf"),
];

pub struct Fonts {
    pub book: LazyHash<FontBook>,
    pub fonts: Vec<Font>,
}

/// Every bundled face, and the book Typst chooses from.
pub fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let fonts: Vec<Font> = FILES.iter().flat_map(|data| Font::iter(Bytes::new(*data))).collect();
        let book = FontBook::from_fonts(&fonts);
        Fonts { book: LazyHash::new(book), fonts }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_bundled_face_is_read() {
        let fonts = super::fonts();
        assert_eq!(fonts.fonts.len(), 5);
        let families: Vec<&str> = fonts.fonts.iter().map(|f| f.info().family.as_str()).collect();
        assert!(families.contains(&"Noto Sans") && families.contains(&"Noto Sans Arabic"), "{families:?}");
    }
}
