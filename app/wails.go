package app

import (
	"context"
	"io/fs"

	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// This file is the one doorway to Wails: nothing else in the module imports
// its runtime, which calls log.Fatalf when handed a context it did not make.

// wailsEmitter emits through the Wails runtime of the running window.
type wailsEmitter struct{ ctx context.Context }

func (e wailsEmitter) Emit(event string, data any) { runtime.EventsEmit(e.ctx, event, data) }

// WailsOptions describes the window around a and binds a to it.
// icon is the window icon as PNG (Linux; Windows and macOS take it from the bundle).
func WailsOptions(a *App, assets fs.FS, icon []byte) *options.App {
	return &options.App{
		Title:     "Cecyber",
		Width:     1280,
		Height:    800,
		MinWidth:  900,
		MinHeight: 560,
		AssetServer: &assetserver.Options{
			Assets: assets,
		},
		// The window paints the dark theme's background before the page
		// loads, so there is no white flash in either theme.
		BackgroundColour: &options.RGBA{R: 0x14, G: 0x17, B: 0x1c, A: 255},
		OnStartup: func(ctx context.Context) {
			a.startup(ctx, wailsEmitter{ctx})
		},
		OnShutdown:     func(context.Context) { a.shutdown() },
		Bind:           []any{a},
		ErrorFormatter: FormatError,
		Linux: &linux.Options{
			ProgramName: "cecyber",
			Icon:        icon,
		},
	}
}
