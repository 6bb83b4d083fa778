//! Synthetic, realistic scenarios reproducible from a seed.
