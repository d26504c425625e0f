// Package dashboard is a demo module that shows how a module adds UI to the
// shell without touching its layout: a "Sales" app on the launchpad (and so
// in the sidebar and the palette), a sales chart in the launchpad's
// dashboard slot, today's figure in the header slot, and a palette command
// — all behind the permission "dashboard.view". The chart is SVG rendered
// in Go from the data; no chart JavaScript.
//
//	GET /dashboard/            the Sales page: the chart and the figures
//	GET /dashboard/sales.csv   the figures as CSV
//
// Compose it with the shell, which it needs:
//
//	webos.New(cfg, db, ui.New(ui.Config{}), auth.New(authCfg), dashboard.New(nil))
package dashboard
