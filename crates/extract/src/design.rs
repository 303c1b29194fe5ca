//! The sampling design of deliberation IVC/KSZG 24/194, phase 1.
//!
//! - Base sample: persons aged 18–64 on 31 Dec 2010 — 0.2 % of Belgian origin without disability, 0.6 % of
//!   non-Belgian origin without disability, 5 % of Belgian origin with disability, 9 % of non-Belgian origin with
//!   disability.
//! - For each year 2011–2021: a top-up of persons turning 18 that year, at the same four rates, and a top-up of
//!   persons (18–64) who settled in Belgium the year before, at 1 % (Belgian origin) and 2 % (non-Belgian origin).
//! - Follow-up: every 31 Dec from the sampling year until age 65, emigration, death or 31 Dec 2022.
//! - Household members of a sampled person on 31 Dec of each observed year are in the extract for that year.
//!
//! Each person's draw uses their own random stream, so the sample does not depend on the order of generation.

use crate::model::{LAST_YEAR, Person, is_belgian};
use crate::rng::stream;

/// Strata of the design.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stratum {
    /// (frame, Belgian origin, disability): frame 0 base, 1 18-year-olds, 2 newcomers.
    Base {
        belgian: bool,
        disabled: bool,
    },
    Young {
        belgian: bool,
        disabled: bool,
    },
    Newcomer {
        belgian: bool,
    },
}

impl Stratum {
    pub fn rate(self) -> f64 {
        match self {
            Stratum::Base { belgian, disabled } | Stratum::Young { belgian, disabled } => {
                match (belgian, disabled) {
                    (true, false) => 0.002,
                    (false, false) => 0.006,
                    (true, true) => 0.05,
                    (false, true) => 0.09,
                }
            }
            Stratum::Newcomer { belgian: true } => 0.01,
            Stratum::Newcomer { belgian: false } => 0.02,
        }
    }
    /// The frame's code in [`crate::codes::DESIGN_FRAME`]: 1 base sample, 2 18-year-olds, 3 newcomers.
    pub fn frame_code(self) -> usize {
        match self {
            Stratum::Base { .. } => 0,
            Stratum::Young { .. } => 1,
            Stratum::Newcomer { .. } => 2,
        }
    }
    /// The stratum's position in [`crate::codes::DESIGN_STRATUM`]: origin × disability in the base and
    /// 18-year-old frames, origin alone among newcomers.
    pub fn stratum_code(self) -> usize {
        match self {
            Stratum::Base { belgian, disabled } | Stratum::Young { belgian, disabled } => {
                usize::from(!belgian) + 2 * usize::from(disabled)
            }
            Stratum::Newcomer { belgian } => 4 + usize::from(!belgian),
        }
    }
    pub fn name(self) -> String {
        let origin = |b: bool| {
            if b {
                "Belgian origin"
            } else {
                "non-Belgian origin"
            }
        };
        let dis = |d: bool| {
            if d {
                "with disability"
            } else {
                "without disability"
            }
        };
        match self {
            Stratum::Base { belgian, disabled } => format!(
                "base 18-64 on 31-12-2010, {}, {}",
                origin(belgian),
                dis(disabled)
            ),
            Stratum::Young { belgian, disabled } => {
                format!("18-year-olds, {}, {}", origin(belgian), dis(disabled))
            }
            Stratum::Newcomer { belgian } => {
                format!("settled the previous year, {}", origin(belgian))
            }
        }
    }
}

/// Why and when a person entered the sample, and how likely they were to be in each year's rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Draw {
    pub year: u16,
    pub stratum: Stratum,
    /// Every frame the person belongs to, `(year, rate)` in the order they are drawn; the first `frames_len`.
    frames: [(u16, f64); 3],
    frames_len: u8,
}

impl Draw {
    /// The probability that the person is in the extract's rows of `year`: that a frame of that year or before
    /// draws them, `1 − Π (1 − rate)` over those frames (each frame is drawn independently; a person drawn is
    /// observed every year from then on while resident and under 65, as everyone of the frame would be).
    pub fn probability_in(&self, year: u16) -> f64 {
        let frames = self
            .frames
            .get(..usize::from(self.frames_len))
            .unwrap_or(&[]);
        let missed: f64 = (frames.iter())
            .filter(|(y, _)| *y <= year)
            .map(|(_, rate)| 1.0 - rate)
            .product();
        1.0 - missed
    }
    /// The design weight of the person's row of `year`: the inverse of [`Draw::probability_in`] (how many persons
    /// of the frames of that year and before the row stands for, Horvitz–Thompson). Finite for every year the
    /// person is observed: the frame that drew them is among those frames.
    pub fn weight_in(&self, year: u16) -> f64 {
        1.0 / self.probability_in(year)
    }
}

/// The frames a person belongs to, in order, with the year of each: the first one whose draw succeeds samples
/// them (a person sampled in the base sample is not drawn again as a newcomer).
pub fn draw(seed: u64, p: &Person) -> Option<Draw> {
    let all = frames(p);
    let mut frames = [(0u16, 0.0f64); 3];
    for (slot, &(year, stratum)) in frames.iter_mut().zip(&all) {
        *slot = (year, stratum.rate());
    }
    let mut rng = stream(seed, 5, p.key);
    (all.iter())
        .find(|(_, stratum)| rng.f64() < stratum.rate())
        .map(|&(year, stratum)| Draw {
            year,
            stratum,
            frames,
            frames_len: all.len().min(3) as u8,
        })
}

/// The frames person `p` belongs to (at most three: the base sample, the 18-year-olds, the newcomers), in the
/// order they are drawn, which is the order of their years: each with its year and stratum.
pub fn frames(p: &Person) -> Vec<(u16, Stratum)> {
    let belgian = is_belgian(p.origin);
    let disabled_in = |year: u16| p.disability != 0 && p.disability_since <= year;
    let frame = |year, stratum| (year, stratum);
    let mut frames: Vec<(u16, Stratum)> = Vec::new();
    if p.in_belgium(2010) && (18..=64).contains(&p.age(2010)) {
        frames.push(frame(
            2010,
            Stratum::Base {
                belgian,
                disabled: disabled_in(2010),
            },
        ));
    }
    let y18 = p.birth.0 + 18;
    if (2011..=2021).contains(&y18) && p.in_belgium(y18) {
        frames.push(frame(
            y18,
            Stratum::Young {
                belgian,
                disabled: disabled_in(y18),
            },
        ));
    }
    if let Some((reg, _)) = p.registered {
        let y = reg + 1;
        if (2011..=2021).contains(&y) && p.in_belgium(y) && (18..=64).contains(&p.age(y)) {
            frames.push(frame(y, Stratum::Newcomer { belgian }));
        }
    }
    frames
}

/// Whether a person could ever be drawn, judged only from what is fixed when their lineage is created (birth,
/// origin, arrival, registration) and from their own draw stream — never from what the simulation decides later
/// (residence, disability). A superset of [`draw`]: the frames that apply are among the frames that could, each
/// consumes the next number of the person's stream, and no frame's rate exceeds the highest rate of those that
/// could apply (a disability can still be recognised). Phase 1 simulates only lineages with such a person (and
/// the tenth it calibrates on); everyone born later is too young for any frame.
pub fn may_draw(seed: u64, p: &Person) -> bool {
    let belgian = is_belgian(p.origin);
    let base = p.from <= 2010 && (18..=64).contains(&p.age(2010));
    let young = (2011..=2021).contains(&(p.birth.0 + 18));
    let newcomer = p
        .registered
        .is_some_and(|(reg, _)| (2011..=2021).contains(&(reg + 1)));
    let frames = usize::from(base) + usize::from(young) + usize::from(newcomer);
    if frames == 0 {
        return false;
    }
    let highest = if base || young {
        Stratum::Base {
            belgian,
            disabled: true,
        }
        .rate()
    } else {
        Stratum::Newcomer { belgian }.rate()
    };
    let mut rng = stream(seed, 5, p.key);
    (0..frames).any(|_| rng.f64() < highest)
}

/// The years a sampled person is observed: from the sampling year while resident and under 65.
pub fn observed<'a>(p: &'a Person, d: &Draw) -> impl Iterator<Item = u16> + 'a {
    let start = d.year;
    (start..=LAST_YEAR).take_while(move |&y| p.resident(y) && p.age(y) < 65)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A non-Belgian adult who settled in 2010 is in the base sample (0.6 %) and in the 2011 newcomers (2 %):
    /// drawn in 2010, their 2010 row stands for 1 / 0.006 persons, their later rows for 1 / (1 − 0.994 × 0.98).
    #[test]
    fn a_rows_weight_counts_the_frames_up_to_its_year() {
        let base = Stratum::Base {
            belgian: false,
            disabled: false,
        };
        let d = Draw {
            year: 2010,
            stratum: base,
            frames: [(2010, 0.006), (2011, 0.02), (0, 0.0)],
            frames_len: 2,
        };
        assert!((d.weight_in(2010) - 1.0 / 0.006).abs() < 1e-9);
        let both = 1.0 - 0.994 * 0.98;
        for year in [2011, 2015, 2022] {
            assert!((d.probability_in(year) - both).abs() < 1e-12, "{year}");
        }
        assert!((d.weight_in(2022) - 1.0 / both).abs() < 1e-9);
    }
}
