//! The C-member view of a definition: a struct/union/enum body split into
//! its members (as the C declarations between `;`, or `,` for enums, at
//! the outermost brace level), and each member's declarator name.

/// The members of a struct/union/enum body: token groups between `;` (or
/// `,` for enums) at brace depth 1. A definition without a body is one
/// member (a typedef's whole definition).
pub fn members(tokens: &[String]) -> Vec<Vec<String>> {
    let Some(open) = tokens.iter().position(|t| t == "{") else {
        return if tokens.is_empty() {
            Vec::new()
        } else {
            vec![tokens.to_vec()]
        };
    };
    let is_enum = tokens.first().is_some_and(|t| t == "enum");
    let mut out = Vec::new();
    let mut cur = Vec::new();
    let mut depth = 0usize;
    for t in tokens.get(open + 1..).unwrap_or_default() {
        match t.as_str() {
            "{" | "(" | "[" => depth += 1,
            "}" | ")" | "]" if depth == 0 => break,
            "}" | ")" | "]" => depth -= 1,
            _ => {}
        }
        if depth == 0 && (t == ";" || (is_enum && t == ",")) {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        cur.push(t.clone());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The declarator name of a member: the identifier in `( * name )` for
/// function pointers, else the last identifier outside brackets and
/// before a bit-field `:`; for enum constants the first token.
pub fn member_name(m: &[String]) -> Option<String> {
    let ident = |t: &str| {
        !t.is_empty()
            && !t.contains('#')
            && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !t.starts_with(|c: char| c.is_ascii_digit())
    };
    if let Some(e) = m.first().filter(|t| t.starts_with("E#")) {
        return Some(e.trim_start_matches("E#").to_string());
    }
    for w in m.windows(3) {
        if let [a, b, c] = w {
            if a == "(" && b == "*" && ident(c) {
                return Some(c.clone());
            }
        }
    }
    let mut depth = 0usize;
    let mut last = None;
    for t in m {
        match t.as_str() {
            "[" | "(" | "{" => depth += 1,
            "]" | ")" | "}" => depth = depth.saturating_sub(1),
            ":" if depth == 0 => break,
            s if depth == 0 && ident(s) && !is_keyword(s) => last = Some(s.to_string()),
            _ => {}
        }
    }
    last
}

fn is_keyword(s: &str) -> bool {
    matches!(
        s,
        "int"
            | "long"
            | "short"
            | "char"
            | "unsigned"
            | "signed"
            | "const"
            | "volatile"
            | "struct"
            | "union"
            | "enum"
            | "void"
            | "float"
            | "double"
            | "_Bool"
            | "bool"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_names() {
        let v = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        assert_eq!(
            member_name(&v("int ( * cb ) ( int )")).as_deref(),
            Some("cb")
        );
        assert_eq!(member_name(&v("char name [ 8 ]")).as_deref(), Some("name"));
        assert_eq!(member_name(&v("unsigned int x : 3")).as_deref(), Some("x"));
    }

    #[test]
    fn members_split_at_the_outer_level() {
        let v = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        let m = members(&v("struct a { int x ; int ( * f ) ( int , long ) ; } "));
        assert_eq!(m, vec![v("int x"), v("int ( * f ) ( int , long )")]);
        let e = members(&v("enum e { E#A = 0 , E#B } "));
        assert_eq!(e, vec![v("E#A = 0"), v("E#B")]);
    }
}
