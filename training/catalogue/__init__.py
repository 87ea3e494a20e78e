"""The yearly catalogue job: forecasts → versioned, reviewed, atomically published editions."""
