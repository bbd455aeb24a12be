"""Diaodu (调度): scheduling and supervision of key projects."""
