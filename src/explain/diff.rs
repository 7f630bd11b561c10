//! A sequence diff (longest common subsequence) of token or member lists,
//! as `diff` prints it: kept, removed and added items in order.

/// Longest-common-subsequence diff: `' '` kept, `'-'` only in `a`, `'+'`
/// only in `b`, in order.
pub fn diff<'a, T: PartialEq>(a: &'a [T], b: &'a [T]) -> Vec<(char, &'a T)> {
    let (n, m) = (a.len(), b.len());
    // Definitions are short; a quadratic table is fine, but bound it so a
    // hostile input cannot exhaust memory.
    if n.saturating_mul(m) > 4_000_000 {
        let mut v: Vec<(char, &T)> = a.iter().map(|t| ('-', t)).collect();
        v.extend(b.iter().map(|t| ('+', t)));
        return v;
    }
    let mut l = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            l[i][j] = if a[i] == b[j] {
                l[i + 1][j + 1] + 1
            } else {
                l[i + 1][j].max(l[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(n.max(m));
    while i < n && j < m {
        if a[i] == b[j] {
            out.push((' ', &a[i]));
            i += 1;
            j += 1;
        } else if l[i + 1][j] >= l[i][j + 1] {
            out.push(('-', &a[i]));
            i += 1;
        } else {
            out.push(('+', &b[j]));
            j += 1;
        }
    }
    out.extend(a[i..].iter().map(|t| ('-', t)));
    out.extend(b[j..].iter().map(|t| ('+', t)));
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn edit_script() {
        let (a, b) = (["a", "b", "c"], ["a", "x", "c", "d"]);
        let d: String = super::diff(&a, &b)
            .into_iter()
            .map(|(op, t)| format!("{op}{t}"))
            .collect();
        assert_eq!(d, " a-b+x c+d");
    }
}
