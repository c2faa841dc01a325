//! Misuse of #[bilevel] is a compile error at the user's span (trybuild UI tests in tests/ui).

#[test]
fn dsl_misuse_is_a_spanned_compile_error() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
