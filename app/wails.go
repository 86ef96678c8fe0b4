package app

import (
	"context"
	"io/fs"
	"sync"
	"time"

	"github.com/wailsapp/wails/v2/pkg/logger"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"cecyber/app/desktop"
)

// This file is the one doorway to Wails: nothing else in the module imports
// its runtime, which calls log.Fatalf when handed a context it did not make.

// wailsEmitter emits through the Wails runtime of the running window.
type wailsEmitter struct{ ctx context.Context }

func (e wailsEmitter) Emit(event string, data any) { runtime.EventsEmit(e.ctx, event, data) }

// Shell is the desktop side of the window: what WailsOptions needs besides
// the App.
type Shell struct {
	Assets fs.FS  // the built frontend
	Icon   []byte // window icon as PNG (Linux; Windows and macOS take it from the bundle)

	// WindowFile remembers the window's size and place between runs
	// (window.json next to the database); "" remembers nothing.
	WindowFile string

	// InstanceID is the single-instance lock (see InstanceID); "" lets any
	// number of windows run.
	InstanceID string
}

// showFallback is how long a window started hidden (to be moved to its
// remembered place first) waits for the page before it shows anyway.
const showFallback = 3 * time.Second

// WailsOptions describes the window around a and binds a to it.
func WailsOptions(a *App, sh Shell) *options.App {
	w := &window{app: a, path: sh.WindowFile, state: desktop.DefaultWindow}
	if sh.WindowFile != "" {
		st, err := desktop.LoadWindowState(sh.WindowFile)
		if err != nil {
			a.log.Warn("window size not restored", "err", err)
		}
		w.state = st
	}
	// Moving the window once it is visible makes it jump: a window that
	// has a place to go starts hidden and shows when it is there.
	_, _, hasPlace := w.state.Position(nil)
	hidden := hasPlace && !w.state.Maximised
	startState := options.Normal
	if w.state.Maximised {
		startState = options.Maximised
	}

	o := &options.App{
		Title:            "Cecyber",
		Width:            w.state.Width,
		Height:           w.state.Height,
		MinWidth:         desktop.MinWindowWidth,
		MinHeight:        desktop.MinWindowHeight,
		StartHidden:      hidden,
		WindowStartState: startState,
		AssetServer: &assetserver.Options{
			Assets: sh.Assets,
		},
		// The window paints the dark theme's background before the page
		// loads, so there is no white flash in either theme.
		BackgroundColour: &options.RGBA{R: 0x14, G: 0x17, B: 0x1c, A: 255},
		OnStartup: func(ctx context.Context) {
			w.setContext(ctx)
			if hidden {
				w.showAfter(showFallback)
			}
			a.startup(ctx, wailsEmitter{ctx})
		},
		OnDomReady: func(ctx context.Context) { w.show(ctx) },
		// OnBeforeClose, not OnShutdown: by OnShutdown the window is gone
		// and asking Wails for its size would crash. Wails also calls it on
		// SIGTERM and Ctrl+C, so a session logout saves the size too.
		OnBeforeClose: func(ctx context.Context) bool {
			w.remember(ctx)
			return false
		},
		OnShutdown: func(context.Context) {
			w.stopFallback()
			a.shutdown()
		},
		Bind:           []any{a},
		ErrorFormatter: FormatError,
		// Explicit, not Wails' default: a dev build reads it before Wails
		// fills in defaults, and at the zero value (trace) Wails logs every
		// bound call's result, console URLs with their one-time token
		// among them.
		LogLevel:           logger.INFO,
		LogLevelProduction: logger.ERROR,
		Linux: &linux.Options{
			ProgramName: "cecyber",
			Icon:        sh.Icon,
			// Wails applies Never only when Linux is nil (its workaround
			// for blank windows on some GPUs, wails#2977); a non-nil
			// Linux leaves the zero value, Always. Always makes WebKitGTK
			// composite every page with OpenGL, which without a GPU
			// (llvmpipe) costs about 130 MB in the web process at rest.
			// desktop.SkipGLProbes, called before GTK starts, keeps OpenGL
			// out of the main process too.
			WebviewGpuPolicy: linux.WebviewGpuPolicyNever,
		},
	}
	if sh.InstanceID != "" {
		o.SingleInstanceLock = &options.SingleInstanceLock{
			UniqueId:               sh.InstanceID,
			OnSecondInstanceLaunch: func(options.SecondInstanceData) { w.bringForward() },
		}
	}
	return o
}

// window restores the main window's size and place and remembers them.
type window struct {
	app   *App
	path  string              // window.json; "" remembers nothing
	state desktop.WindowState // as loaded at start; read-only afterwards

	shown sync.Once
	// fallback shows the window if the page does not (see showAfter); nil
	// when the window did not start hidden.
	fallback *time.Timer

	mu  sync.Mutex
	ctx context.Context // Wails' context, nil until startup
}

func (w *window) setContext(ctx context.Context) {
	w.mu.Lock()
	w.ctx = ctx
	w.mu.Unlock()
}

func (w *window) context() context.Context {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ctx
}

// show moves the window to its remembered place, if that is still on a
// screen, and shows it. Only the first call does anything: reloading the
// page must not move the window back.
func (w *window) show(ctx context.Context) {
	w.shown.Do(func() {
		if x, y, ok := w.state.Position(screens(ctx)); ok && !w.state.Maximised {
			runtime.WindowSetPosition(ctx, x, y)
		}
		runtime.WindowShow(ctx)
	})
}

// showAfter shows a hidden window that the page has not shown in time:
// a page that fails to load must still get a window to show its error.
// It does nothing if the page showed the window first.
func (w *window) showAfter(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.fallback = time.AfterFunc(d, func() {
		if ctx := w.context(); ctx != nil {
			w.show(ctx)
		}
	})
}

// stopFallback cancels showAfter's timer, as the app shuts down.
func (w *window) stopFallback() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fallback != nil {
		w.fallback.Stop()
	}
}

// screens returns the size of every monitor, or nil if Wails cannot tell.
func screens(ctx context.Context) []desktop.Screen {
	all, err := runtime.ScreenGetAll(ctx)
	if err != nil {
		return nil
	}
	var out []desktop.Screen
	for _, s := range all {
		if s.Size.Width > 0 && s.Size.Height > 0 {
			out = append(out, desktop.Screen{Width: s.Size.Width, Height: s.Size.Height})
		}
	}
	return out
}

// remember saves the window's size and place as it closes.
func (w *window) remember(ctx context.Context) {
	if w.path == "" {
		return
	}
	width, height := runtime.WindowGetSize(ctx)
	x, y := runtime.WindowGetPosition(ctx)
	st := w.state.Closing(width, height, x, y, runtime.WindowIsMaximised(ctx), runtime.WindowIsMinimised(ctx))
	if err := desktop.SaveWindowState(w.path, st); err != nil {
		w.app.log.Warn("window size not remembered", "err", err)
	}
}

// bringForward answers a second launch: the running window comes to the
// front instead of a second one opening on the same files.
func (w *window) bringForward() {
	ctx := w.context()
	if ctx == nil {
		return
	}
	w.app.log.Info("Cecyber was launched again; showing the running window")
	w.show(ctx)
	runtime.WindowUnminimise(ctx)
	runtime.Show(ctx)
	runtime.WindowShow(ctx)
	// Raising a window is the window manager's call; briefly keeping it
	// above the others is the portable way to ask.
	runtime.WindowSetAlwaysOnTop(ctx, true)
	runtime.WindowSetAlwaysOnTop(ctx, false)
}
