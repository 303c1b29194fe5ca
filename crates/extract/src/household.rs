//! A person's household on 31 Dec: who the reference person is, the partner, the relation code, and the LIPRO
//! position derived from them — as the KSZ derives LIPRO from the register alone (relation to the reference
//! person, partners, children).

use crate::model::Lineage;

/// `(person index, relation code)` of the members of household `h` on 31 Dec of `year`.
pub fn members(l: &Lineage, h: u32, year: u16) -> Vec<(usize, u8)> {
    let mut m: Vec<(usize, u8)> = l
        .people
        .iter()
        .enumerate()
        .filter(|(_, p)| p.resident(year))
        .filter_map(|(i, p)| p.household(year).filter(|x| x.0 == h).map(|x| (i, x.1)))
        .collect();
    // When the reference person has died or left, the eldest member takes the role.
    if !m.iter().any(|x| x.1 == 1 || x.1 == 20) {
        if let Some(eldest) = m.iter_mut().min_by_key(|(i, _)| l.people[*i].birth) {
            eldest.1 = 1;
        }
    }
    m
}

/// For person `i` in household `h` in `year`: (reference person index, partner index, relation, LIPRO).
pub fn position(
    l: &Lineage,
    members: &[(usize, u8)],
    i: usize,
    h: u32,
) -> (Option<usize>, Option<usize>, &'static str, &'static str) {
    let collective = l.homes.get(h as usize).is_some_and(|x| x.collective);
    let rel = members.iter().find(|x| x.0 == i).map_or(12, |x| x.1);
    let reference = members.iter().find(|x| x.1 == 1 || x.1 == 20).map(|x| x.0);
    let spouse = members.iter().find(|x| x.1 == 2).map(|x| x.0);
    let partner = members.iter().find(|x| x.1 == 21).map(|x| x.0);
    let children = members.iter().any(|x| x.1 == 3);
    let relation = match rel {
        1 => "01",
        2 => "02",
        3 => "03",
        20 => "20",
        21 => "21",
        _ => "12",
    };
    if collective {
        return (reference, None, relation, "COLL");
    }
    let couple = spouse.or(partner);
    let lipro = match rel {
        1 | 2 | 21 => match (spouse.is_some(), partner.is_some(), children) {
            (true, _, false) => "MAR0",
            (true, _, true) => "MAR+",
            (false, true, false) => "UNM0",
            (false, true, true) => "UNM+",
            (false, false, true) => "H1PA",
            (false, false, false) => "SING",
        },
        3 => {
            if spouse.is_some() {
                "CMAR"
            } else if partner.is_some() {
                "CUNM"
            } else {
                "C1PA"
            }
        }
        _ => "NFRP",
    };
    let partner_of = match rel {
        1 => couple,
        2 | 21 => reference,
        _ => None,
    };
    (reference, partner_of, relation, lipro)
}

/// How many children under 18 on 31 Dec of `year` person `i` receives family allowances for: the children of
/// the household (relation 3) go to the mother among the reference person and their partner, else to the
/// reference person; to nobody in a collective household.
pub fn allowance_children(l: &Lineage, members: &[(usize, u8)], i: usize, h: u32, year: u16) -> u8 {
    if l.homes.get(h as usize).is_some_and(|x| x.collective) {
        return 0;
    }
    let parents: Vec<usize> = (members.iter())
        .filter(|m| matches!(m.1, 1 | 2 | 21))
        .map(|m| m.0)
        .collect();
    let mother = (parents.iter()).find(|&&j| l.people.get(j).is_some_and(|p| p.sex == 2));
    let reference = members.iter().find(|m| m.1 == 1).map(|m| m.0);
    if mother.copied().or(reference) != Some(i) {
        return 0;
    }
    let children = (members.iter())
        .filter(|m| m.1 == 3 && l.people.get(m.0).is_some_and(|p| p.age(year) < 18))
        .count();
    u8::try_from(children).unwrap_or(u8::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Home, Person};

    fn person(slot: u64, born: u16, sex: u8, relation: u8) -> Person {
        Person {
            key: slot,
            birth: (born, 6, 1),
            sex,
            origin: 0,
            education: 0,
            domain: 0,
            delay: 0,
            disability: 0,
            disability_since: 0,
            reason: 0,
            registered: None,
            from: 2010,
            exit: None,
            left_belgium: None,
            moves: vec![(2010, 0, relation)],
            married: true,
            z_pay: 0.0,
        }
    }

    /// The household's children under 18 go to the mother: the partner of a male reference person, the
    /// reference person when she is the mother; to a father only when he is the reference person alone; a child
    /// of 18 is not counted; a collective household gets none.
    #[test]
    fn family_allowances_go_to_the_mother_else_the_reference_person() {
        let home = |collective| Home {
            region: 0,
            big_city: false,
            collective,
        };
        let lineage = |people: Vec<Person>, collective| Lineage {
            id: 1,
            people,
            homes: vec![home(collective)],
        };
        let each = |l: &Lineage| -> Vec<u8> {
            let members = members(l, 0, 2015);
            (0..l.people.len())
                .map(|i| allowance_children(l, &members, i, 0, 2015))
                .collect()
        };
        // A man, his wife, children of 10, 16 and 18.
        let family = vec![
            person(0, 1975, 1, 1),
            person(1, 1977, 2, 2),
            person(2, 2005, 1, 3),
            person(3, 1999, 2, 3),
            person(4, 1997, 1, 3),
        ];
        assert_eq!(each(&lineage(family.clone(), false)), [0, 2, 0, 0, 0]);
        // A mother as the reference person, her partner beside her.
        let mut hers = family.clone();
        hers[0].sex = 2;
        hers[1].sex = 1;
        hers[1].moves = vec![(2010, 0, 21)];
        assert_eq!(each(&lineage(hers, false)), [2, 0, 0, 0, 0]);
        // A father alone.
        let alone = vec![person(0, 1975, 1, 1), person(2, 2005, 2, 3)];
        assert_eq!(each(&lineage(alone, false)), [1, 0]);
        assert_eq!(each(&lineage(family, true)), [0; 5]);
    }
}
