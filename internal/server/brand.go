package server

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/ui"
)

// uiBrand is the pages' brand from branding.*, the logo read once at start.
func uiBrand(cfg *config.Config) (ui.Brand, error) {
	b := cfg.Branding
	brand := ui.Brand{ProductName: cfg.Product(), PrimaryColor: b.PrimaryColor, AccentColor: b.AccentColor,
		SupportURL: b.SupportURL, SupportEmail: b.SupportEmail, FooterText: b.FooterText}
	if b.LogoFile != "" {
		logo, err := os.ReadFile(b.LogoFile)
		if err != nil {
			return ui.Brand{}, fmt.Errorf("branding.logo_file: %w", err)
		}
		brand.Logo, brand.LogoName = logo, filepath.Base(b.LogoFile)
	}
	return brand, nil
}
