use kexi::internals::dataset::Role;
use kexi::internals::quality::SkipReason;
use kexi::{analyze, Options};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(name),
    )
    .unwrap()
}

/// The same messy register and order list read from xls (BIFF8) and ods through calamine.
#[test]
fn xls_and_ods_register_with_orders() {
    for name in ["messy_register.xls", "messy_register.ods"] {
        let r = analyze(&fixture(name), &Options::default()).unwrap();
        assert_eq!(r.summary.shape, "register_and_orders", "{name}");
        let roles: Vec<_> = r
            .input
            .sheets
            .iter()
            .map(|s| (s.info.name.as_str(), s.role))
            .collect();
        assert!(
            roles.contains(&("客户登记", Some(Role::Register))),
            "{name}: {roles:?}"
        );
        assert!(
            roles.contains(&("订单明细", Some(Role::Orders))),
            "{name}: {roles:?}"
        );
        assert!(roles.contains(&("填表说明", None)), "{name}: {roles:?}");
        assert_eq!(r.mapping[0].header_rows, (2, 3), "{name}");
        assert_eq!(r.summary.amount_years, vec![2023, 2024], "{name}");
        assert_eq!(r.summary.customers, 3, "{name}");
        assert_eq!(r.summary.order_lines, 3, "{name}");
        assert_eq!(r.summary.total_amount, Some(400.5), "{name}");
        let j = r.quality.join.as_ref().unwrap();
        assert_eq!(
            (j.order_lines_matched, j.order_lines_unmatched),
            (3, 0),
            "{name}"
        );
        let reg = &r.quality.sheets[0].quality;
        assert_eq!(reg.rows_skipped[&SkipReason::Total].count, 1, "{name}");
        assert_eq!(reg.rows_skipped[&SkipReason::Note].count, 1, "{name}");
        assert_eq!(reg.rows_used, 4, "{name}");
    }
}
