"""The returns pages (server-rendered, NHS.UK design system): lists and detail, filing, workflow steps, export downloads. See ADR 20."""
