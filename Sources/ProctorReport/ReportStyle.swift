/// The page's inline stylesheet: no fonts or images to fetch, so the file works offline and in print.
///
/// Colors were chosen for at least 4.5:1 contrast of text on its background; severity is also told
/// by an icon and a word everywhere, and by bar height on the timeline, so grayscale print loses nothing.
enum ReportStyle {
    static let css = """
        :root { --ink: #1d2330; --muted: #5a6270; --line: #d9dde3; --panel: #f6f7f9;
          --high: #c62828; --high-bg: #fdecea; --high-ink: #8e1b10;
          --medium: #e6a100; --medium-bg: #fff4d6; --medium-ink: #6b4500;
          --low: #7b8494; --low-bg: #eef0f3; --low-ink: #3f4650;
          --ok: #1e7b34; --ok-bg: #e6f4ea; }
        * { box-sizing: border-box; }
        html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
          color: var(--ink); background: #fff; }
        main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 40px; }
        h1 { font-size: 22px; margin: 0 0 2px; }
        h2 { font-size: 16px; margin: 28px 0 10px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
        h3 { font-size: 15px; margin: 0; display: inline; }
        .sub { color: var(--muted); margin: 0; }
        .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-size: 12.5px; }
        .top { display: flex; gap: 24px; align-items: flex-start; justify-content: space-between; flex-wrap: wrap; }
        .verdict { border: 2px solid; border-radius: 10px; padding: 10px 16px; min-width: 250px; }
        .verdict .level { font-size: 20px; font-weight: 700; }
        .verdict .score { color: var(--ink); font-size: 13px; }
        .verdict .advice { color: var(--ink); font-size: 12.5px; margin-top: 2px; max-width: 300px; }
        .verdict.level-high { border-color: var(--ok); background: var(--ok-bg); color: var(--ok); }
        .verdict.level-medium { border-color: var(--medium); background: var(--medium-bg); color: var(--medium-ink); }
        .verdict.level-low { border-color: var(--high); background: var(--high-bg); color: var(--high-ink); }
        .facts { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 1px; margin: 18px 0 0;
          background: var(--line); border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
        .facts div { background: #fff; padding: 8px 12px; }
        .facts dt { color: var(--muted); font-size: 12px; }
        .facts dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
        .facts dd small { display: block; font-weight: 400; color: var(--muted); }
        .notes { margin: 10px 0 0; padding: 8px 12px 8px 28px; border: 1px solid var(--line); border-radius: 8px;
          background: var(--panel); color: var(--muted); font-size: 12.5px; }
        .replay { display: inline-block; margin-left: 8px; padding: 1px 8px; border-radius: 10px; font-size: 12px;
          background: #e8eefc; color: #1f3f8f; border: 1px solid #3d63c9; font-weight: 600; }
        .live { display: inline-block; margin-left: 8px; padding: 1px 8px; border-radius: 10px; font-size: 12px;
          background: var(--medium-bg); color: var(--medium-ink); border: 1px solid var(--medium); }
        .timeline { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px 8px; }
        .lane { display: grid; grid-template-columns: 150px 1fr; align-items: center; gap: 10px; margin: 3px 0; }
        .lane .name { font-size: 12.5px; color: var(--muted); text-align: right; white-space: nowrap;
          overflow: hidden; text-overflow: ellipsis; }
        .track { position: relative; height: 20px; background: var(--panel); border-radius: 3px; overflow: hidden; }
        .track.camera { background: #cfe8d5; }
        .gap { position: absolute; top: 0; bottom: 0; background: repeating-linear-gradient(135deg, #fff 0 4px, #c3c8cf 4px 6px);
          border-left: 1px solid #9aa1ab; border-right: 1px solid #9aa1ab; }
        .seg { position: absolute; bottom: 0; min-width: 3px; border-radius: 2px; display: block; }
        .seg.sev-high { height: 100%; background: var(--high); }
        .seg.sev-medium { height: 66%; background: var(--medium); }
        .seg.sev-low { height: 36%; background: var(--low); }
        .axis { position: relative; height: 18px; margin-left: 160px; font-size: 11.5px; color: var(--muted); }
        .axis span { position: absolute; transform: translateX(-50%); white-space: nowrap; }
        .axis span:first-child { transform: none; }
        .axis span:last-child { transform: translateX(-100%); }
        .legend { display: flex; flex-wrap: wrap; gap: 16px; font-size: 12px; color: var(--muted); margin: 6px 0 0 160px; }
        .legend i { display: inline-block; width: 14px; vertical-align: bottom; margin-right: 5px; border-radius: 2px; }
        .legend .sev-high { height: 14px; background: var(--high); }
        .legend .sev-medium { height: 10px; background: var(--medium); }
        .legend .sev-low { height: 6px; background: var(--low); }
        .legend .gapkey { height: 14px; background: repeating-linear-gradient(135deg, #fff 0 4px, #c3c8cf 4px 6px);
          border: 1px solid #9aa1ab; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid var(--line); }
        th { font-size: 12px; color: var(--muted); font-weight: 600; background: var(--panel); }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        tfoot td { font-weight: 700; border-bottom: 0; }
        .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 700;
          border: 1px solid; white-space: nowrap; }
        .badge.sev-high { background: var(--high-bg); color: var(--high-ink); border-color: var(--high); }
        .badge.sev-medium { background: var(--medium-bg); color: var(--medium-ink); border-color: var(--medium); }
        .badge.sev-low { background: var(--low-bg); color: var(--low-ink); border-color: var(--low); }
        .group { border: 1px solid var(--line); border-radius: 8px; margin: 10px 0; }
        .group > summary { cursor: pointer; padding: 10px 14px; background: var(--panel); border-radius: 8px; }
        .group[open] > summary { border-bottom: 1px solid var(--line); border-radius: 8px 8px 0 0; }
        .group > summary .meta { color: var(--muted); margin-left: 8px; }
        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(600px, 1fr)); gap: 12px; padding: 12px; }
        .card { display: grid; grid-template-columns: 300px 1fr; border: 1px solid var(--line); border-left: 5px solid;
          border-radius: 6px; overflow: hidden; background: #fff; break-inside: avoid; page-break-inside: avoid; }
        .card.sev-high { border-left-color: var(--high); }
        .card.sev-medium { border-left-color: var(--medium); }
        .card.sev-low { border-left-color: var(--low); }
        .card figure { margin: 0; background: #111; display: flex; flex-direction: column; justify-content: center; }
        .card img { display: block; width: 100%; height: auto; }
        .card figcaption { background: var(--panel); color: var(--muted); font-size: 11.5px; padding: 3px 8px; }
        .card .noimg { background: var(--panel); color: var(--muted); padding: 14px; font-size: 12.5px;
          display: flex; align-items: center; justify-content: center; text-align: center; min-height: 135px; }
        .card .body { padding: 8px 12px 10px; }
        .card .ep + .ep { border-top: 1px dashed var(--line); margin-top: 8px; padding-top: 8px; }
        .card .together { margin: 0 0 6px; font-size: 12px; font-weight: 600; color: var(--muted); }
        .card a.zoom { display: block; cursor: zoom-in; }
        .card figcaption a { color: #1f3f8f; }
        .shared { margin: 0; padding: 8px 12px; border: 1px dashed var(--line); border-radius: 6px; font-size: 12.5px;
          align-self: start; }
        .lightbox { display: none; position: fixed; inset: 0; z-index: 10; background: rgba(12, 14, 18, 0.94);
          padding: 44px 20px 12px; flex-direction: column; align-items: center; justify-content: center; gap: 8px; }
        .lightbox:target { display: flex; }
        .lightbox img { display: block; max-width: 100%; max-height: calc(100vh - 100px); width: auto; height: auto; }
        .lightbox p { margin: 0; color: #f1f3f5; font-size: 13px; }
        .lightbox .close { position: absolute; top: 10px; right: 16px; color: #fff; background: #000; border: 1px solid #fff;
          border-radius: 6px; padding: 3px 10px; text-decoration: none; font-size: 14px; }
        .card h4 { margin: 0 0 6px; font-size: 14px; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
        .card dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 10px; margin: 0; font-size: 12.5px; }
        .card dt { color: var(--muted); }
        .card dd { margin: 0; overflow-wrap: anywhere; }
        .empty { border: 1px solid var(--ok); background: var(--ok-bg); color: var(--ok); border-radius: 8px;
          padding: 18px; font-size: 15px; }
        .method { font-size: 12.5px; color: var(--muted); border: 1px solid var(--line); border-radius: 8px;
          padding: 10px 14px; background: var(--panel); }
        .method p { margin: 4px 0; }
        .method code { color: var(--ink); }
        footer { margin-top: 24px; color: var(--muted); font-size: 12px; }
        @media (max-width: 760px) {
          .facts { grid-template-columns: repeat(2, minmax(0, 1fr)); }
          .cards { grid-template-columns: 1fr; }
          .card { grid-template-columns: 1fr; }
        }
        @media print {
          main { max-width: none; padding: 0; }
          .group > summary { cursor: auto; }
          .cards { grid-template-columns: repeat(2, minmax(0, 1fr)); }
          .card { grid-template-columns: 200px 1fr; }
          .lightbox, .lightbox:target { display: none; }
          h2 { break-after: avoid; }
          a { color: inherit; text-decoration: none; }
        }
        """
}
