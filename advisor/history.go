package advisor

// History is where past usage and invoices come from (Recommend, Backtest).
type History interface{}
