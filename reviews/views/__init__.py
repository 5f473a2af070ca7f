"""Review, onboarding, action, coaching and matrix pages: thin — permission, form, one service call, redirect."""
