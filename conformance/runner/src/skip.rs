//! Per-target skip files: `conformance/skip/<target>.txt`, one `REGEX  # reason` a line. A line
//! without a reason is an error: a skip must say why.

use std::path::Path;

use regex::Regex;

/// The skips of one target.
#[derive(Debug, Default)]
pub struct SkipList {
    entries: Vec<(Regex, String)>,
}

impl SkipList {
    /// Reads `<dir>/<target>.txt`; a missing file is an empty list.
    pub fn load(dir: &Path, target: &str) -> Result<SkipList, String> {
        let path = dir.join(format!("{}.txt", target.replace([':', '/'], "_")));
        let Ok(text) = std::fs::read_to_string(&path) else {
            return Ok(SkipList::default());
        };
        let mut entries = vec![];
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let where_ = format!("{}:{}", path.display(), i + 1);
            let (pattern, reason) = line
                .split_once('#')
                .map(|(p, r)| (p.trim(), r.trim()))
                .filter(|(_, r)| !r.is_empty())
                .ok_or_else(|| format!("{where_}: a skip needs a reason after `#`"))?;
            let re = Regex::new(&format!("^(?:{pattern})$"))
                .map_err(|e| format!("{where_}: bad pattern: {e}"))?;
            entries.push((re, reason.to_string()));
        }
        Ok(SkipList { entries })
    }

    /// The reason a case is skipped, if it is.
    pub fn reason(&self, case_id: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(re, _)| re.is_match(case_id))
            .map(|(_, r)| r.as_str())
    }
}
