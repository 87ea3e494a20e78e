"""The yearly needs catalogue (急需紧缺人才目录): urgency rules, ranking, diff and the published formats."""
